import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { applyRetention } from "../../workers/retrainer/retention";
import { loadTrainingSet } from "../../workers/retrainer/training-data";

const DAY = 24 * 3600 * 1000;
const now = Date.UTC(2026, 10, 24);

async function insertEvent(listener: string, id: string, track: string, type: string, ageDays: number) {
  await env.DB.prepare(
    "INSERT INTO events (listener_id, event_id, track_id, type, client_ts, received_at) VALUES (?, ?, ?, ?, ?, ?)",
  )
    .bind(listener, id, track, type, now - ageDays * DAY, now - ageDays * DAY)
    .run();
}

describe("retention", () => {
  it("folds raw events past the window into counts, deletes them, and the model still sees them", async () => {
    await env.DB.prepare(
      "INSERT INTO tracks (id, title, artist_id, artist_name, album_id, album_title, genre, release_date, tempo, energy, valence, danceability, acousticness, instrumentalness, speechiness, loudness, key, mode, duration_ms) VALUES ('t1','One','a1','A','al1','Al','rock','2020-01-01',120,0.5,0.5,0.5,0.5,0.1,0.1,-8,1,1,200000)",
    ).run();
    await env.DB.prepare("INSERT INTO listeners (id, region, created_at) VALUES ('l1', 'SE', 0)").run();
    await insertEvent("l1", "old-1", "t1", "play", 200);
    await insertEvent("l1", "old-2", "t1", "complete", 150);
    await insertEvent("l1", "old-3", "t1", "like", 120);
    await insertEvent("l1", "new-1", "t1", "play", 5);

    expect(await applyRetention(env, now)).toMatchObject({ folded: 3 });
    const remaining = await env.DB.prepare("SELECT event_id FROM events").all();
    expect(remaining.results).toEqual([{ event_id: "new-1" }]);
    const rollup = await env.DB.prepare("SELECT * FROM event_rollups").first();
    expect(rollup).toMatchObject({
      listener_id: "l1",
      track_id: "t1",
      plays: 1,
      completes: 1,
      likes: 1,
      last_ts: now - 120 * DAY,
    });

    await insertEvent("l1", "old-4", "t1", "play", 100);
    expect(await applyRetention(env, now)).toMatchObject({ folded: 1 });
    expect(await applyRetention(env, now)).toMatchObject({ folded: 0 });
    expect(await env.DB.prepare("SELECT plays FROM event_rollups").first()).toEqual({ plays: 2 });

    const set = await loadTrainingSet(env.DB);
    // 3 plays + 1 complete + 5 x like: the recent play and every folded event count as evidence.
    const { indptr, indices, values } = set.interactions;
    expect([...indptr, ...indices, ...values]).toEqual([0, 1, 0, 3 + 1 + 5]);
  });
});
