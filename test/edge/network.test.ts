import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  asListener,
  edge,
  json,
  jsonBody,
  pseudonymOf,
  retrainAndPublish,
  seedAndPublish,
  waitFor,
  type RecommendationsView,
} from "./helpers";

/**
 * The two workers together: the edge, its session objects and the real retraining worker behind the
 * queue and the service binding, sharing D1 and KV, as `npm start` runs them.
 */
describe("the worker network end to end", () => {
  it("answers before any model exists, without a 5xx", async () => {
    const res = await edge("/v1/me/recommendations", { headers: await asListener("demo-1") });
    expect(res.status).toBe(200);
    expect((await res.json()) as RecommendationsView).toMatchObject({ modelVersion: null, source: "charts" });
  });

  it("seeds, trains, learns from new events and serves the change", async () => {
    const first = await seedAndPublish();

    const demo = await json<RecommendationsView>(
      await edge("/v1/me/recommendations?limit=20", { headers: await asListener("demo-1") }),
    );
    expect(demo).toMatchObject({ modelVersion: first, source: "model" });
    expect(demo.items).toHaveLength(20);
    for (const item of demo.items) expect(item.reason.text).toBeTruthy();

    // Neighbour lists are published in shards; a track's list is found from its id alone.
    const track = demo.items[0]!.id;
    const similar = await json<{ source: string; modelVersion: string; items: { id: string; score: number }[] }>(
      await edge(`/v1/tracks/${track}/similar?limit=30`, { headers: await asListener("demo-1") }),
    );
    expect(similar).toMatchObject({ source: "model", modelVersion: first });
    expect(similar.items).toHaveLength(30);
    expect(similar.items.map((i) => i.id)).not.toContain(track);
    expect(similar.items.map((i) => i.score)).toEqual(similar.items.map((i) => i.score).sort((a, b) => b - a));
    const unknown = await edge("/v1/tracks/constructor/similar", { headers: await asListener("demo-1") });
    expect(unknown.status).toBe(404);

    // A new listener plays through one genre; before a retrain only the session and history know it.
    const jazz = await env.DB.prepare("SELECT id FROM tracks WHERE genre = 'jazz' ORDER BY id LIMIT 12").all<{
      id: string;
    }>();
    const now = Date.now();
    const events = jazz.results.flatMap((t, i) => [
      { id: `e2e-${i}-p`, listenerId: "e2e-listener", trackId: t.id, type: "play", timestamp: now - 60_000 * (30 - i) },
      {
        id: `e2e-${i}-c`,
        listenerId: "e2e-listener",
        trackId: t.id,
        type: "complete",
        timestamp: now - 60_000 * (30 - i) + 1000,
      },
    ]);
    expect(
      await json(await edge("/v1/events", jsonBody("POST", { events }, await asListener("e2e-listener"))), 202),
    ).toEqual({
      accepted: 24,
      duplicates: 0,
      notStored: 0,
    });

    const pseudonym = await pseudonymOf("e2e-listener");
    await waitFor("events in D1", async () => {
      const row = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE listener_id = ?")
        .bind(pseudonym)
        .first<{ n: number }>();
      return row!.n === 24;
    });
    const before = await json<RecommendationsView>(
      await edge("/v1/me/recommendations?limit=10", { headers: await asListener("e2e-listener") }),
    );
    expect(before.source).toBe("history");

    const second = await retrainAndPublish();
    expect(second).not.toBe(first);
    const after = await json<RecommendationsView>(
      await edge("/v1/me/recommendations?limit=10", { headers: await asListener("e2e-listener") }),
    );
    expect(after).toMatchObject({ modelVersion: second, source: "model" });
    expect(after.items.map((i) => i.id)).not.toEqual(before.items.map((i) => i.id));
    const jazzShare = after.items.filter((i) => i.genre === "jazz").length / after.items.length;
    expect(jazzShare).toBeGreaterThanOrEqual(0.5);
  }, 300_000);
});
