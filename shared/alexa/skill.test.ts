import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { parseRecommendationId, servedBy } from "../analytics/attribution";
import { ACTIVITIES } from "../catalog/types";
import { envelope, intent } from "../../test/alexa-fixtures";
import { AMAZON_ROOTS } from "./amazon-roots";
import { eventIdOf, listeningEventOf, surfaceOf } from "./events";
import { radioSeedOf } from "./radio-seed";
import { actionOf, slotValue } from "./intents";
import { AlexaRequest } from "./request";
import { clearQueue, playNext, playNow, skillResponse, stop } from "./response";
import { decodeToken, encodeToken, stepInList } from "./token";

const parse = (request: Parameters<typeof envelope>[0]) => AlexaRequest.parse(envelope(request)).request;

describe("intents and requests become actions", () => {
  it.each([
    [{ type: "LaunchRequest" }, { type: "launch" }],
    [intent("PlayDiscoverWeeklyIntent"), { type: "play-list", list: "discover-weekly" }],
    [intent("PlayDailyMixIntent", { number: "3" }), { type: "play-list", list: "daily-mix-3" }],
    [intent("PlayDailyMixIntent"), { type: "play-list", list: "daily-mix-1" }],
    [intent("PlayDailyMixIntent", { number: "9" }), { type: "no-such-mix", number: 9 }],
    [intent("PlayActivityIntent", { activity: "Workout" }), { type: "play-for-you", activity: "workout" }],
    [intent("PlayActivityIntent", { activity: "knitting" }), { type: "play-for-you", activity: null }],
    [
      intent("PlayRadioIntent", { artist: "Cosmic Lanterns" }),
      { type: "play-radio", artist: "cosmic lanterns", genre: null },
    ],
    [intent("AMAZON.PauseIntent"), { type: "pause" }],
    [intent("AMAZON.ResumeIntent"), { type: "resume" }],
    [intent("AMAZON.NextIntent"), { type: "next" }],
    [intent("AMAZON.PreviousIntent"), { type: "previous" }],
    [intent("AMAZON.StopIntent"), { type: "stop" }],
    [intent("AMAZON.CancelIntent"), { type: "stop" }],
    [intent("AMAZON.HelpIntent"), { type: "help" }],
    [intent("AMAZON.ShuffleOnIntent"), { type: "unsupported", what: "Shuffling" }],
    [intent("SomethingElseIntent"), { type: "not-understood" }],
    [{ type: "PlaybackController.NextCommandIssued" }, { type: "next" }],
    [{ type: "PlaybackController.PlayCommandIssued" }, { type: "resume" }],
    [
      { type: "AudioPlayer.PlaybackStarted", token: "t", offsetInMilliseconds: 0 },
      { type: "playback", event: "started" },
    ],
    [{ type: "AudioPlayer.PlaybackNearlyFinished", token: "t", offsetInMilliseconds: 1 }, { type: "nearly-finished" }],
    [{ type: "SessionEndedRequest", reason: "USER_INITIATED" }, { type: "none" }],
  ])("%j", (request, action) => {
    expect(actionOf(parse(request))).toEqual(action);
  });

  it("a slot's resolved value wins over what was heard", () => {
    const slot = {
      name: "activity",
      value: "gym",
      resolutions: {
        resolutionsPerAuthority: [
          { status: { code: "ER_SUCCESS_MATCH" }, values: [{ value: { name: "workout", id: "WORKOUT" } }] },
        ],
      },
    };
    expect(slotValue(slot)).toBe("workout");
    expect(slotValue({ name: "activity", value: "gym" })).toBe("gym");
    expect(slotValue({ name: "activity" })).toBeNull();
  });
});

describe("stream tokens", () => {
  it("round-trip a list and a recommendation", () => {
    for (const token of [
      { source: { kind: "list" as const, list: "daily-mix-2" as const }, trackId: "trk-00042" },
      { source: { kind: "for-you" as const, activity: "sleep" as const }, trackId: "trk-00042" },
      { source: { kind: "for-you" as const, activity: null }, trackId: "trk-00042" },
      { source: { kind: "radio" as const, station: "st_0123456789abcdef" }, trackId: "trk-00042" },
    ]) {
      expect(decodeToken(encodeToken(token))).toEqual(token);
    }
  });

  it("are refused when this skill did not make them", () => {
    for (const token of [
      undefined,
      "",
      "list:no-such-kind:trk-1",
      "for-you:dance:trk-1",
      "list:daylist:a:b",
      "x:y:z",
    ]) {
      expect(decodeToken(token)).toBeNull();
    }
  });

  it("step through a list, from the top when the track left it", () => {
    const list = ["a", "b", "c"];
    expect(stepInList(list, "a", 1)).toBe("b");
    expect(stepInList(list, "c", 1)).toBeNull();
    expect(stepInList(list, "b", -1)).toBe("a");
    expect(stepInList(list, "a", -1)).toBeNull();
    expect(stepInList(list, "gone", 1)).toBe("a");
    expect(stepInList([], null, 1)).toBeNull();
  });
});

describe("responses", () => {
  const stream = { url: "https://audio.example/tracks/a", token: "list:daylist:a", title: "A", subtitle: "B" };

  it("playing now replaces the queue; playing next names the stream it follows", () => {
    expect(playNow(stream)).toEqual({
      type: "AudioPlayer.Play",
      playBehavior: "REPLACE_ALL",
      audioItem: {
        stream: { url: stream.url, token: stream.token, offsetInMilliseconds: 0 },
        metadata: { title: "A", subtitle: "B" },
      },
    });
    expect(playNext(stream, "list:daylist:z")).toMatchObject({
      playBehavior: "ENQUEUE",
      audioItem: { stream: { token: stream.token, expectedPreviousToken: "list:daylist:z" } },
    });
  });

  it("speech goes only where Alexa allows it", () => {
    const answer = { speech: "Hello", reprompt: "Again?", directives: [stop()] };
    expect(skillResponse(parse({ type: "LaunchRequest" }), answer)).toEqual({
      version: "1.0",
      response: {
        outputSpeech: { type: "PlainText", text: "Hello" },
        reprompt: { outputSpeech: { type: "PlainText", text: "Again?" } },
        directives: [stop()],
        shouldEndSession: false,
      },
    });
    for (const request of [
      { type: "AudioPlayer.PlaybackNearlyFinished", token: "t" },
      { type: "PlaybackController.NextCommandIssued" },
    ]) {
      expect(skillResponse(parse(request), answer)).toEqual({ version: "1.0", response: { directives: [stop()] } });
    }
    expect(skillResponse(parse({ type: "SessionEndedRequest" }), answer)).toEqual({ version: "1.0", response: {} });
    expect(skillResponse(parse(intent("AMAZON.StopIntent")), { directives: [clearQueue()] })).toEqual({
      version: "1.0",
      response: {
        directives: [{ type: "AudioPlayer.ClearQueue", clearBehavior: "CLEAR_ALL" }],
        shouldEndSession: true,
      },
    });
  });

  it("an unlinked listener gets a LinkAccount card", () => {
    expect(
      skillResponse(parse({ type: "LaunchRequest" }), { speech: "Link", linkAccount: true }).response,
    ).toMatchObject({
      card: { type: "LinkAccount" },
      shouldEndSession: true,
    });
  });
});

describe("playback reports become listening events", () => {
  const stream = { source: { kind: "list" as const, list: "discover-weekly" as const }, trackId: "trk-00042" };
  const report = (event: "started" | "finished" | "stopped" | "failed", offsetInMilliseconds = 12_000) => ({
    event,
    requestId: "amzn1.echo-api.request.1",
    timestamp: new Date().toISOString(),
    offsetInMilliseconds,
    stream,
    ...servedBy(surfaceOf(stream.source), "v1", 1),
  });

  it("start, finish and stop are a play, a completion and a skip at the offset; a failure is nothing", async () => {
    expect(await listeningEventOf(report("started", 0))).toMatchObject({
      type: "play",
      trackId: "trk-00042",
      positionMs: 0,
      device: "speaker",
      context: { source: "playlist", playlistId: "discover-weekly", recommendationId: expect.any(String) },
    });
    expect(await listeningEventOf(report("finished", 200_000))).toMatchObject({
      type: "complete",
      positionMs: 200_000,
    });
    expect(await listeningEventOf(report("stopped", 12_000))).toMatchObject({ type: "skip", positionMs: 12_000 });
    expect(await listeningEventOf(report("failed"))).toBeNull();
  });

  it("credit the list, station or the speaker's own pick that served the stream", async () => {
    const surfaces = [
      { kind: "list" as const, list: "daily-mix-2" as const },
      { kind: "radio" as const, station: "st_0123456789abcdef" },
      { kind: "for-you" as const, activity: null },
    ].map(async (source) => {
      const served = servedBy(surfaceOf(source), "v1", 1);
      const event = await listeningEventOf({ ...report("started"), stream: { source, trackId: "trk-1" }, ...served });
      return parseRecommendationId(event!.context!.recommendationId!)?.surface;
    });
    expect(await Promise.all(surfaces)).toEqual(["daily-mix-2", "radio", "speaker"]);
  });

  it("the event id is the request's, in the event id alphabet, so a request sent again is one event", async () => {
    const id = await eventIdOf("amzn1.echo-api.request.0b5a-42");
    expect(id).toMatch(/^alexa-[0-9a-f]{40}$/);
    expect(await eventIdOf("amzn1.echo-api.request.0b5a-42")).toBe(id);
    expect(await eventIdOf("amzn1.echo-api.request.0b5a-43")).not.toBe(id);
  });
});

/** Mozilla's published SHA-256 fingerprints of the roots: a changed or corrupted copy fails. */
const ROOT_FINGERPRINTS: Record<string, string> = {
  "Amazon Root CA 1": "8ECDE6884F3D87B1125BA31AC3FCB13D7016DE7F57CC904FE1CB97C6AE98196E",
  "Amazon Root CA 2": "1BA5B2AA8C65401A82960118F80BEC4F62304D83CEC4713A19C39C011EA46DB4",
  "Amazon Root CA 3": "18CE6CFE7BF14E60B2E347B8DFE868CB31D02EBB3ADA271569F50343B46DB3A4",
  "Amazon Root CA 4": "E35D28419ED02025CFA69038CD623962458DA5C695FBDEA3C22B0BFB25897092",
  "Starfield Services Root Certificate Authority - G2":
    "568D6905A2C88708A4B3025190EDCFEDB1974A606A13C6E5290FCB2AE63EDAB5",
};

describe("Amazon's roots", () => {
  it("are exactly the roots of the fingerprints", () => {
    expect(Object.keys(AMAZON_ROOTS).sort()).toEqual(Object.keys(ROOT_FINGERPRINTS).sort());
  });

  it.each(Object.entries(AMAZON_ROOTS))("%s is the self-signed root of its fingerprint", async (name, pem) => {
    const cert = new x509.X509Certificate(pem);
    expect(cert.subject).toContain(`CN=${name}`);
    expect(cert.subject).toBe(cert.issuer);
    expect(await cert.verify({ signatureOnly: true })).toBe(true);
    const thumbprint = Buffer.from(await cert.getThumbprint("SHA-256"))
      .toString("hex")
      .toUpperCase();
    expect(thumbprint).toBe(ROOT_FINGERPRINTS[name]);
  });
});

describe("the interaction model (alexa/interaction-model.json)", async () => {
  const { readFileSync } = await import("node:fs");
  const model = JSON.parse(readFileSync("alexa/interaction-model.json", "utf8")) as {
    interactionModel: {
      languageModel: {
        intents: { name: string; samples: string[]; slots?: { name: string; type: string }[] }[];
        types: { name: string; values: { id: string }[] }[];
      };
    };
  };
  const { intents, types } = model.interactionModel.languageModel;

  it("has every built-in intent Amazon requires of an AudioPlayer skill", () => {
    const required = ["Pause", "Resume", "Next", "Previous", "StartOver", "Stop", "Cancel", "Help"]
      .concat(["LoopOn", "LoopOff", "ShuffleOn", "ShuffleOff", "Repeat"])
      .map((n) => `AMAZON.${n}Intent`);
    expect(intents.map((i) => i.name)).toEqual(expect.arrayContaining(required));
  });

  it("every custom intent is one the skill acts on, and its samples use only its slots", () => {
    for (const { name, samples, slots = [] } of intents.filter((i) => !i.name.startsWith("AMAZON."))) {
      expect(actionOf(parse(intent(name))).type, name).not.toBe("not-understood");
      expect(samples.length, name).toBeGreaterThan(0);
      for (const sample of samples) {
        for (const [, slot] of sample.matchAll(/\{(\w+)\}/g))
          expect(
            slots.map((s) => s.name),
            sample,
          ).toContain(slot);
      }
    }
  });

  it("its activities are the catalog's", () => {
    const activities = types.find((t) => t.name === "ACTIVITY")!.values.map((v) => v.id);
    expect(activities.sort()).toEqual([...ACTIVITIES].sort());
  });
});

describe("a spoken radio request names a station seed", () => {
  const tracks = [
    { artistId: "art-0001", artistName: "The Velvet Thieves", genre: "rock" },
    { artistId: "art-0002", artistName: "Björk & Sons", genre: "jazz" },
  ];
  it.each([
    [
      { artist: "velvet thieves", genre: null },
      { kind: "artist", id: "art-0001" },
    ],
    [
      { artist: "the velvet thieves", genre: null },
      { kind: "artist", id: "art-0001" },
    ],
    [
      { artist: "bjork and sons", genre: null },
      { kind: "artist", id: "art-0002" },
    ],
    [
      { artist: null, genre: "Jazz" },
      { kind: "genre", name: "jazz" },
    ],
    [
      { artist: "nobody", genre: "jazz" },
      { kind: "genre", name: "jazz" },
    ],
    [{ artist: "nobody", genre: null }, null],
    [{ artist: null, genre: "polka" }, null],
  ])("%j", (asked, seed) => {
    expect(radioSeedOf(asked, tracks)).toEqual(seed);
  });
});
