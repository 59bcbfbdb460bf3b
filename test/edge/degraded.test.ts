import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { trackRow } from "../../shared/db/rows";
import { tracks } from "../../shared/db/schema";
import { generateDemoCatalog } from "../../shared/demo";
import { app } from "../../workers/edge/app";
import type { Env } from "../../workers/edge/env";
import {
  asClient,
  asListener,
  edge,
  expectProblem,
  json,
  jsonBody,
  pseudonymOf,
  retrainAndPublish,
  waitFor,
  type RecommendationsView,
} from "./helpers";

const catalog = generateDemoCatalog(5).tracks.slice(0, 80);
/** In the model, with history in D1 and a live session. */
const KNOWN = "degraded-known";
/** Unknown to the model, with no history: what D1 would give them, only the published chart replaces. */
const NEWCOMER = "degraded-newcomer";

/**
 * A binding whose every call fails, as during an outage of the store behind it. Builder methods
 * (D1's prepare and bind, a namespace's idFromName and get) still answer, as they do in an
 * outage, so the failure comes where the real one would: when the store is asked.
 */
function unavailable(store: string, builders: string[] = []): object {
  const binding: object = new Proxy(
    {},
    {
      get: (_, method) =>
        // Not a thenable: awaiting the binding itself must not look like a failure.
        method === "then"
          ? undefined
          : builders.includes(String(method))
            ? () => binding
            : () => Promise.reject(new Error(`${store} is unavailable (injected by the test)`)),
    },
  );
  return binding;
}

type Outage = "kv" | "d1" | "session";
const outages: Record<Outage, Partial<Record<keyof Env, unknown>>> = {
  // The isolate's copy of the model pointer has expired too, so the request does go to KV.
  kv: { MODELS: unavailable("KV"), MODEL_POINTER_TTL_MS: "0" },
  d1: { DB: unavailable("D1", ["prepare", "bind"]) },
  session: { SESSIONS: unavailable("The session object", ["idFromName", "get"]) },
};

/** The real edge app and bindings, but for the stores that are down. */
function requestDuring(down: Outage[], path: string, init: Record<string, string> | RequestInit) {
  const brokenEnv = Object.assign({}, env, ...down.map((store) => outages[store])) as Env;
  const request = "headers" in init ? (init as RequestInit) : { headers: init as Record<string, string> };
  return app.request(path, request, brokenEnv, createExecutionContext());
}

/** API keys are held in isolate memory once read from D1, as in any isolate already serving traffic. */
async function warmUp(path: string, headers: Record<string, string>) {
  await json(await requestDuring([], path, headers));
}

async function recommendationsDuring(down: Outage[], listener: string) {
  const headers = await asListener(listener);
  await warmUp(`/v1/me/recommendations?limit=1`, headers);
  return json<RecommendationsView & { degraded: string[] }>(
    await requestDuring(down, `/v1/me/recommendations?limit=10`, headers),
  );
}

describe("degraded serving", () => {
  beforeAll(async () => {
    await env.DB.batch(bulkInsertStatements(env.DB, tracks, catalog.map(trackRow), "ignore"));
    const now = Date.now();
    // Between them they play every track: a model learns only the tracks some listening names.
    for (const [listener, offset] of [
      [KNOWN, 0],
      ["degraded-other", 40],
    ] as const) {
      const events = catalog.slice(offset, offset + 40).map((t, i) => ({
        id: `${listener}-${i}`,
        listenerId: listener,
        trackId: t.id,
        type: i % 4 === 0 ? "like" : "complete",
        timestamp: now - (40 - i) * 60_000,
        device: "phone",
        positionMs: 0,
      }));
      await json(await edge("/v1/events", jsonBody("POST", { events }, await asListener(listener))), 202);
    }
    await waitFor("events stored", async () => {
      const row = await env.DB.prepare("SELECT count(*) AS n FROM events").first<{ n: number }>();
      return row!.n === 80;
    });
    await retrainAndPublish();
  }, 240_000);

  it("answers from the model with nothing degraded when every store is up", async () => {
    expect(await recommendationsDuring([], KNOWN)).toMatchObject({ source: "model", degraded: [] });
  });

  it("without KV, takes candidates from D1: recent history and content neighbours", async () => {
    const answer = await recommendationsDuring(["kv"], KNOWN);
    expect(answer).toMatchObject({ source: "history", degraded: ["kv"] });
    expect(answer.items.length).toBe(10);
  });

  it("without D1, serves the model and the published chart from KV", async () => {
    // D1 is off the hot path: a listener the model knows does not notice.
    expect(await recommendationsDuring(["d1"], KNOWN)).toMatchObject({ source: "model", degraded: [] });
    const newcomer = await recommendationsDuring(["d1"], NEWCOMER);
    expect(newcomer).toMatchObject({ source: "charts", degraded: ["d1"] });
    expect(newcomer.items.length).toBe(10);
  });

  it("without the session object, answers from the model with no session features", async () => {
    const answer = await recommendationsDuring(["session"], KNOWN);
    expect(answer).toMatchObject({ source: "model", degraded: ["session"] });
    expect(answer.items.length).toBe(10);
  });

  it("without the session object, consent comes from D1's copy: a withdrawn consent is kept", async () => {
    await env.DB.prepare("UPDATE listeners SET consent_personalization = 0 WHERE id = ?")
      .bind(await pseudonymOf("degraded-other"))
      .run();
    const answer = await recommendationsDuring(["session"], "degraded-other");
    expect(answer).toMatchObject({ source: "charts", degraded: ["session"] });
  });

  it("with neither KV nor D1, still answers 200, empty and saying so", async () => {
    expect(await recommendationsDuring(["kv", "d1"], KNOWN)).toMatchObject({ items: [], degraded: ["d1", "kv"] });
  });

  it("the speaker route degrades the same way, and says 503 only when no store can name a track", async () => {
    const headers = await asListener(KNOWN, "speaker");
    await warmUp(`/v1/speaker/next`, headers);
    for (const down of [["kv"], ["session"]] as const) {
      const next = await json<{ trackId: string; degraded: string[] }>(
        await requestDuring([...down], `/v1/speaker/next`, headers),
      );
      expect(next.trackId).toBeTruthy();
      expect(next.degraded).toEqual(down);
    }
    const healthy = await json(await requestDuring(["d1"], `/v1/speaker/next`, headers));
    expect(healthy).not.toHaveProperty("degraded");

    const none = await requestDuring(["kv", "d1"], `/v1/speaker/next`, headers);
    expect(none.status).toBe(503);
    expect(none.headers.get("content-type")).toBe("application/problem+json");
    expect(await none.json()).toMatchObject({ status: 503, degraded: ["d1", "kv"] });
  });

  it("radio needs the published catalog and the session object: without either a 503 to retry, never a 5xx of its own", async () => {
    const headers = await asListener(KNOWN);
    const start = `/v1/me/radio?seed=track:${catalog[5]!.id}&limit=5`;
    const first = await json<{ cursor: string; degraded: string[] }>(await requestDuring([], start, headers));
    // D1 is not on the radio's way.
    expect(await json(await requestDuring(["d1"], start, headers))).toMatchObject({ degraded: [] });
    for (const down of [["kv"], ["session"]] as const) {
      for (const path of [start, `/v1/me/radio?cursor=${first.cursor}`]) {
        const res = await requestDuring([...down], path, headers);
        expect(await expectProblem(res, 503)).toMatchObject({ degraded: [...down] });
        expect(res.headers.get("retry-after")).toBeTruthy();
      }
    }
    // The station was left as it was: its next page is the one after the first.
    const next = await json<{ tracks: { position: number }[] }>(
      await requestDuring([], `/v1/me/radio?cursor=${first.cursor}`, headers),
    );
    expect(next.tracks[0]!.position).toBe(6);
  });

  it("the now-playing route degrades the same way", async () => {
    const headers = await asListener(KNOWN);
    const path = `/v1/me/now-playing`;
    const healthy = await json<{ nowPlaying: { track: { title?: string } } }>(await requestDuring([], path, headers));
    const title = healthy.nowPlaying.track.title;
    expect(title).toBeTruthy();

    // The track's metadata comes from D1 without KV, from the published catalog without D1.
    for (const [down, degraded] of [
      [["kv"], ["kv"]],
      [["d1"], []],
    ] as const) {
      expect(await json(await requestDuring([...down], path, headers))).toMatchObject({
        degraded,
        nowPlaying: { track: { title } },
      });
    }
    expect(await json(await requestDuring(["session"], path, headers))).toEqual({
      listenerId: KNOWN,
      nowPlaying: null,
      degraded: ["session"],
    });
  });

  it("without KV, events are accepted: ingest needs no model, tracks are checked in D1", async () => {
    const headers = await asListener(KNOWN);
    const events = [{ id: "during-kv-outage", trackId: catalog[3]!.id, type: "play" }];
    expect(
      await json(await requestDuring(["kv"], "/v1/events", jsonBody("POST", { events }, headers)), 202),
    ).toMatchObject({ accepted: 1, degraded: ["kv"] });
    // A track D1 does not know is still refused, and one nobody can check is not taken on trust.
    const unknown = [{ id: "unknown-during-kv-outage", trackId: "no-such-track", type: "play" }];
    await expectProblem(
      await requestDuring(["kv"], "/v1/events", jsonBody("POST", { events: unknown }, headers)),
      422,
      "events.0.trackId",
    );
    await warmUp("/v1/charts/top?limit=1", asClient);
    await expectProblem(
      await requestDuring(["kv", "d1"], "/v1/events", jsonBody("POST", { events: unknown }, headers)),
      503,
    );
  });

  it("without KV, the catalog routes answer from D1 and say so", async () => {
    const track = catalog[5]!;
    const path = `/v1/tracks/${track.id}`;
    expect(await json(await requestDuring(["kv"], path, asClient))).toMatchObject({
      id: track.id,
      title: track.title,
      degraded: ["kv"],
    });
    await expectProblem(await requestDuring(["kv"], "/v1/tracks/no-such-track", asClient), 404);
    // With neither store no one can say whether the track exists: not a 404.
    await warmUp(path, asClient);
    await expectProblem(await requestDuring(["kv", "d1"], path, asClient), 503);

    const similar = await json<{ source: string; items: unknown[]; degraded: string[] }>(
      await requestDuring(["kv"], `${path}/similar?limit=5`, asClient),
    );
    expect(similar).toMatchObject({ source: "content", degraded: ["kv"] });
    expect(similar.items.length).toBeGreaterThan(0);

    const chart = await json<{ source: string; items: unknown[]; degraded: string[] }>(
      await requestDuring(["kv"], "/v1/charts/top?limit=5", asClient),
    );
    expect(chart).toMatchObject({ source: "live", degraded: ["kv"] });
    expect(chart.items.length).toBe(5);
    expect(await json(await requestDuring([], "/v1/charts/top?limit=5", asClient))).toMatchObject({
      source: "model",
      degraded: [],
    });
  });

  it("without KV, onboarding picks its seed tracks from D1", async () => {
    const headers = await asListener("degraded-onboarding");
    const body = jsonBody("POST", { genres: [catalog[0]!.genre], artists: [catalog[1]!.artistId] }, headers);
    const answer = await json<{ seedTracks: string[]; degraded: string[] }>(
      await requestDuring(["kv"], "/v1/me/onboarding", body),
      202,
    );
    expect(answer.degraded).toEqual(["kv"]);
    const ids = new Set(catalog.map((t) => t.id));
    expect(answer.seedTracks.length).toBeGreaterThan(0);
    expect(answer.seedTracks.every((id) => ids.has(id))).toBe(true);
    expect(answer.seedTracks).toContain(
      catalog.filter((t) => t.artistId === catalog[1]!.artistId).sort((a, b) => a.id.localeCompare(b.id))[0]!.id,
    );
  });
});
