import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { eventIdOf } from "../../shared/alexa/events";
import { parseRecommendationId } from "../../shared/analytics/attribution";
import type { SkillResponse } from "../../shared/alexa/response";

import { createVerifier } from "../../shared/alexa/verify";
import type { AppEnv } from "../../workers/edge/env";
import { alexaRoute } from "../../workers/edge/routes/alexa";
import {
  CERT_URL,
  envelope,
  intent,
  makeAmazonLikePki,
  servedChains,
  signedHeaders,
  type EnvelopeOptions,
} from "../alexa-fixtures";
import {
  asListener,
  edge,
  expectProblem,
  freezeDiscoverWeekly,
  json,
  jsonBody,
  pseudonymOf,
  seedAndPublish,
  sessionStub,
  storedEventIds,
  tokenFor,
  waitFor,
} from "./helpers";

/**
 * The Alexa skill on the running workers, end to end: requests signed by a CA the test makes (the
 * skill's route built with it as its only trusted root, the chain served from memory), through the
 * real session object, lists, recommendations, queue and D1.
 */
const LISTENER = "alexa-listener";
let signer: CryptoKey;
let skill: Hono<AppEnv>;
let modelVersion: string;

beforeAll(async () => {
  const pki = await makeAmazonLikePki();
  signer = pki.signer.keys.privateKey;
  const verifier = createVerifier({
    trustedRoots: [pki.root.pem],
    certificates: servedChains({ [CERT_URL]: pki.chain }),
  });
  skill = new Hono<AppEnv>().route("/v1/speaker/alexa", alexaRoute(verifier));
  modelVersion = await seedAndPublish();
}, 180_000);

async function ask(request: Parameters<typeof envelope>[0], options: EnvelopeOptions = {}) {
  const body = JSON.stringify(envelope(request, { accessToken: await tokenFor(LISTENER), ...options }));
  const res = await skill.fetch(
    new Request("http://edge/v1/speaker/alexa", { method: "POST", headers: await signedHeaders(body, signer), body }),
    env,
    createExecutionContext(),
  );
  return json<SkillResponse>(res);
}

type Play = Extract<NonNullable<SkillResponse["response"]["directives"]>[number], { type: "AudioPlayer.Play" }>;
function playOf(answer: SkillResponse): Play {
  const [directive, ...rest] = answer.response.directives ?? [];
  expect(rest).toEqual([]);
  expect(directive?.type).toBe("AudioPlayer.Play");
  return directive as Play;
}

const nowPlaying = async () =>
  json<{ nowPlaying: { track: { id: string }; device: string; reportedPositionMs: number } | null }>(
    await edge("/v1/me/now-playing", { headers: await asListener(LISTENER) }),
  );

describe("the Alexa skill", () => {
  it("without a linked account answers a LinkAccount card, and nothing to playback reports", async () => {
    const launch = await ask({ type: "LaunchRequest" }, { accessToken: "" });
    expect(launch.response).toMatchObject({
      card: { type: "LinkAccount" },
      outputSpeech: { text: expect.stringMatching(/link/) },
    });
    const forged = await ask(intent("AMAZON.HelpIntent"), { accessToken: "not.a.token" });
    expect(forged.response.card).toEqual({ type: "LinkAccount" });
    const report = await ask(
      { type: "AudioPlayer.PlaybackStarted", token: "for-you:any:trk-00001", offsetInMilliseconds: 0 },
      { accessToken: "" },
    );
    expect(report).toEqual({ version: "1.0", response: {} });
  });

  it("opens with a welcome and keeps the session open for an answer", async () => {
    const launch = await ask({ type: "LaunchRequest" });
    expect(launch.response.outputSpeech?.text).toMatch(/^Welcome to Setlist/);
    expect(launch.response.reprompt).toBeDefined();
    expect(launch.response.shouldEndSession).toBe(false);
    expect(launch.response.directives).toBeUndefined();
  });

  it("plays Discover Weekly when the listener has one, and says it is not ready when not", async () => {
    const listed = await edge("/v1/me/playlists/discover-weekly", { headers: await asListener(LISTENER) });
    const answer = await ask(intent("PlayDiscoverWeeklyIntent"));
    if (listed.status === 404) {
      await listed.text();
      expect(answer.response.outputSpeech?.text).toMatch(/Discover Weekly is not ready yet/);
      expect(answer.response.directives).toBeUndefined();
    } else {
      const list = await json<{ tracks: { id: string }[] }>(listed);
      expect(playOf(answer).audioItem.stream.token).toBe(`list:discover-weekly:${list.tracks[0]!.id}`);
    }
  });

  it("plays a list where the listener left off on the phone, and steps through it", async () => {
    const listener = "alexa-list-listener";
    const ids = (
      await env.DB.prepare("SELECT id FROM tracks ORDER BY id LIMIT 6 OFFSET 60").all<{ id: string }>()
    ).results.map((r) => r.id);
    await freezeDiscoverWeekly(listener, ids);
    const events = [
      { id: "phone-1", trackId: ids[2], type: "play", device: "phone", context: { playlistId: "discover-weekly" } },
    ];
    await json(await edge("/v1/events", jsonBody("POST", { events }, await asListener(listener))), 202);

    const as = { accessToken: await tokenFor(listener) };
    const started = playOf(await ask(intent("PlayDiscoverWeeklyIntent"), as));
    expect(started.audioItem.stream.token).toBe(`list:discover-weekly:${ids[3]}`);
    const queued = playOf(
      await ask({ type: "AudioPlayer.PlaybackNearlyFinished", token: started.audioItem.stream.token }, as),
    );
    expect(queued.audioItem.stream).toMatchObject({
      token: `list:discover-weekly:${ids[4]}`,
      expectedPreviousToken: started.audioItem.stream.token,
    });
    const player = (n: number) => ({
      ...as,
      player: { token: `list:discover-weekly:${ids[n]}`, offsetInMilliseconds: 5 },
    });
    expect(playOf(await ask(intent("AMAZON.PreviousIntent"), player(3))).audioItem.stream.token).toBe(
      `list:discover-weekly:${ids[2]}`,
    );
    const last = await ask(intent("AMAZON.NextIntent"), player(5));
    expect(last.response.outputSpeech?.text).toBe("That was the last track of your Discover Weekly.");
    expect(last.response.directives).toBeUndefined();
  });

  it("plays the workout mix, follows the playback into the session, queues the next track and adapts to a skip", async () => {
    const asked = await ask(intent("PlayActivityIntent", { activity: "workout" }));
    // The listener's workout mix: the list of the day made for it (without one, a workout recommendation).
    expect(asked.response.outputSpeech?.text).toMatch(/^Playing your workout mix: .+ by .+\.$/);
    expect(asked.response.shouldEndSession).toBe(true);
    const first = playOf(asked);
    expect(first.playBehavior).toBe("REPLACE_ALL");
    const { token, url } = first.audioItem.stream;
    const trackId = token.split(":")[2]!;
    expect(token).toBe(`list:mix-workout:${trackId}`);
    expect(url).toBe(`${env.STREAM_BASE_URL}${trackId}`);

    // The device starts the stream: a play of the listener's, seen at once by the app.
    const started = { type: "AudioPlayer.PlaybackStarted", token, offsetInMilliseconds: 0 };
    const startedId = `amzn1.echo-api.request.${crypto.randomUUID()}`;
    expect(await ask(started, { requestId: startedId })).toEqual({ version: "1.0", response: {} });
    expect((await nowPlaying()).nowPlaying).toMatchObject({ track: { id: trackId }, device: "speaker" });

    const nearly = await ask({ type: "AudioPlayer.PlaybackNearlyFinished", token, offsetInMilliseconds: 170_000 });
    expect(nearly.response.outputSpeech).toBeUndefined();
    const queued = playOf(nearly);
    expect(queued.playBehavior).toBe("ENQUEUE");
    expect(queued.audioItem.stream.expectedPreviousToken).toBe(token);
    const nextToken = queued.audioItem.stream.token;
    const nextId = nextToken.split(":")[2]!;
    expect(nextId).not.toBe(trackId);

    const finishedId = `amzn1.echo-api.request.${crypto.randomUUID()}`;
    const finished = { type: "AudioPlayer.PlaybackFinished", token, offsetInMilliseconds: 180_000 };
    expect(await ask(finished, { requestId: finishedId })).toEqual({ version: "1.0", response: {} });
    // Alexa sending the same report again records nothing more: the event id is the request's.
    await ask(finished, { requestId: finishedId });
    await ask({ type: "AudioPlayer.PlaybackStarted", token: nextToken, offsetInMilliseconds: 0 });
    expect((await nowPlaying()).nowPlaying).toMatchObject({ track: { id: nextId }, device: "speaker" });

    // Stopped 4 s in: an early skip, which the session holds against the track as for any device.
    await ask({ type: "AudioPlayer.PlaybackStopped", token: nextToken, offsetInMilliseconds: 4_000 });
    const view = await sessionStub(await pseudonymOf(LISTENER)).snapshot();
    expect(view.state.taste.tracks[nextId]?.value).toBeLessThan(0);
    expect(view.state.taste.tracks[trackId]?.value).toBeGreaterThan(0);
    expect(view.state.skips).toBe(1);
    expect(view.state.completions).toBe(1);

    const stored = await waitFor("the Alexa events in D1", async () => {
      const ids = await storedEventIds(await pseudonymOf(LISTENER));
      return ids.length >= 4 ? ids : null;
    });
    expect(stored).toContain(await eventIdOf(startedId));
    const finishedEvent = await eventIdOf(finishedId);
    expect(stored.filter((id) => id === finishedEvent)).toHaveLength(1);

    // The edge makes Alexa's events, so it credits them itself: to the mix the stream came from.
    const row = await env.DB.prepare("SELECT context FROM events WHERE event_id = ?")
      .bind(await eventIdOf(startedId))
      .first<{ context: string }>();
    const context = JSON.parse(row!.context) as { playlistId: string; recommendationId: string };
    expect(context.playlistId).toBe("mix-workout");
    expect(parseRecommendationId(context.recommendationId)).toMatchObject({ surface: "mix-workout", modelVersion });
  });

  it("credits a list's playback to the model that made the list, not the one serving now", async () => {
    const listener = "alexa-credit-listener";
    const [trackId] = (
      await env.DB.prepare("SELECT id FROM tracks ORDER BY id LIMIT 1 OFFSET 70").all<{ id: string }>()
    ).results;
    // Frozen this week by a model since replaced.
    const older = "v20200101000000-0ld0ld";
    await freezeDiscoverWeekly(listener, [trackId!.id], older);
    const requestId = `amzn1.echo-api.request.${crypto.randomUUID()}`;
    const started = { type: "AudioPlayer.PlaybackStarted", token: `list:discover-weekly:${trackId!.id}` };
    await ask({ ...started, offsetInMilliseconds: 0 }, { accessToken: await tokenFor(listener), requestId });
    const eventId = await eventIdOf(requestId);
    const row = await waitFor("the started event in D1", () =>
      env.DB.prepare("SELECT context FROM events WHERE event_id = ?").bind(eventId).first<{ context: string }>(),
    );
    const { recommendationId } = JSON.parse(row.context) as { recommendationId: string };
    expect(parseRecommendationId(recommendationId)).toMatchObject({ surface: "discover-weekly", modelVersion: older });
  });

  it("next, previous, pause, resume and stop answer directives for the current stream", async () => {
    const first = playOf(await ask(intent("PlayForYouIntent")));
    const token = first.audioItem.stream.token;
    const player = { token, offsetInMilliseconds: 30_000 };

    const next = playOf(await ask(intent("AMAZON.NextIntent"), { player }));
    expect(next.playBehavior).toBe("REPLACE_ALL");
    expect(next.audioItem.stream.token).not.toBe(token);
    // A recommendation has no "before": previous starts the track over.
    expect(playOf(await ask(intent("AMAZON.PreviousIntent"), { player })).audioItem.stream).toMatchObject({
      token,
      offsetInMilliseconds: 0,
    });

    const paused = await ask(intent("AMAZON.PauseIntent"), { player });
    expect(paused.response).toEqual({ directives: [{ type: "AudioPlayer.Stop" }], shouldEndSession: true });
    const resumed = playOf(await ask(intent("AMAZON.ResumeIntent"), { player }));
    expect(resumed.audioItem.stream).toMatchObject({ token, offsetInMilliseconds: 30_000 });
    // A button on the device: directives only.
    const button = await ask({ type: "PlaybackController.PauseCommandIssued" }, { player });
    expect(button.response).toEqual({ directives: [{ type: "AudioPlayer.Stop" }] });

    const stopped = await ask(intent("AMAZON.StopIntent"), { player });
    expect(stopped.response.directives).toEqual([{ type: "AudioPlayer.ClearQueue", clearBehavior: "CLEAR_ALL" }]);
    const nothing = await ask(intent("AMAZON.ResumeIntent"));
    expect(nothing.response.outputSpeech?.text).toMatch(/Nothing is playing/);
  });

  it("plays a radio of a genre or an artist: the app's station, which NearlyFinished goes on with", async () => {
    const jazz = await ask(intent("PlayRadioIntent", { genre: "jazz" }));
    expect(jazz.response.outputSpeech?.text).toMatch(/^Playing jazz Radio: .+ by .+\.$/);
    const { token } = playOf(jazz).audioItem.stream;
    const [, station, first] = token.split(":") as [string, string, string];
    expect(token).toMatch(/^radio:st_[0-9a-f]{16}:/);
    const queued = playOf(await ask({ type: "AudioPlayer.PlaybackNearlyFinished", token, offsetInMilliseconds: 1 }));
    expect(queued.audioItem.stream.expectedPreviousToken).toBe(token);
    const second = queued.audioItem.stream.token.split(":")[2]!;
    // The station is the listener's: the app reads the same tracks in the same order.
    const page = await json<{ tracks: { id: string }[] }>(
      await edge(`/v1/me/radio?cursor=${station}.0&limit=2`, { headers: await asListener(LISTENER) }),
    );
    expect(page.tracks.map((t) => t.id)).toEqual([first, second]);

    const { artist } = await json<{ artist: { id: string; name: string } }>(
      await edge(`/v1/tracks/${first}`, { headers: await asListener(LISTENER) }),
    );
    const byArtist = await ask(intent("PlayRadioIntent", { artist: artist.name.toLowerCase() }));
    expect(byArtist.response.outputSpeech?.text).toContain(`Playing ${artist.name} Radio: `);
    const nobody = await ask(intent("PlayRadioIntent", { artist: "nobody anyone knows" }));
    expect(nobody.response.outputSpeech?.text).toMatch(/could not find nobody anyone knows/);
  });

  it("says which daily mixes there are", async () => {
    expect((await ask(intent("PlayDailyMixIntent", { number: "7" }))).response.outputSpeech?.text).toMatch(/1 to 6/);
  });
});

describe("the deployed route's door", () => {
  it("refuses a request Amazon did not sign, naming the rule, whatever key or token it carries", async () => {
    const body = JSON.stringify(envelope({ type: "LaunchRequest" }, { accessToken: await tokenFor(LISTENER) }));
    const unsigned = await edge("/v1/speaker/alexa", {
      method: "POST",
      headers: { ...(await asListener(LISTENER, "speaker")), "content-type": "application/json" },
      body,
    });
    expect(await expectProblem(unsigned, 400, "SignatureCertChainUrl")).toMatchObject({
      rule: "signature-cert-chain-url",
    });
    // Signed by the test's CA, which the deployed route does not trust; the certificate URL is not
    // fetched for it either: the timestamp is old, a check made before any fetch.
    const old = JSON.stringify(envelope({ type: "LaunchRequest" }, { timestamp: new Date(Date.now() - 600_000) }));
    const stale = await edge("/v1/speaker/alexa", {
      method: "POST",
      headers: await signedHeaders(old, signer),
      body: old,
    });
    expect(await expectProblem(stale, 400, "request.timestamp")).toMatchObject({ rule: "timestamp" });
  });
});
