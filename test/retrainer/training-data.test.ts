import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { evidenceWeight } from "../../shared/model/evidence";
import { countEvents, loadHistories, loadTrainingSet } from "../../workers/retrainer/training-data";

const LISTENERS = 1200;
const id = (i: number) => `l${String(i).padStart(4, "0")}`;
const counts = { plays: 0, completes: 0, skips: 0, likes: 0, dislikes: 0, repeats: 0, adds: 0 };

/**
 * More listeners than one page of the loader, each with two plays of track i % 3 and a skip of track
 * (i + 1) % 3; one pair also has a rollup, one listener a newer play, and one listener id missing from the
 * listeners table sits inside a page's id range.
 */
describe("reading training data from D1 page by page", () => {
  beforeAll(async () => {
    const track = (n: number) =>
      `('t${n}','T${n}','a${n}','A','al','Al','rock','2020-01-01',120,0.5,0.5,0.5,0.5,0.1,0.1,-8,1,1,200000)`;
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO tracks (id, title, artist_id, artist_name, album_id, album_title, genre, release_date, tempo, energy, valence, danceability, acousticness, instrumentalness, speechiness, loudness, key, mode, duration_ms) VALUES ${[0, 1, 2].map(track).join(",")}`,
      ),
      env.DB.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${LISTENERS - 1})
         INSERT INTO listeners (id, region, created_at) SELECT 'l' || printf('%04d', i), 'SE', 0 FROM n`,
      ),
      env.DB.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${LISTENERS - 1})
         INSERT INTO events (listener_id, event_id, track_id, type, client_ts, received_at)
         SELECT 'l' || printf('%04d', i), 'e' || k, 't' || ((i + (k = 2)) % 3), CASE k WHEN 2 THEN 'skip' ELSE 'play' END, i * 10 + k, 0
         FROM n, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2)`,
      ),
      env.DB.prepare(
        "INSERT INTO events (listener_id, event_id, track_id, type, client_ts, received_at) VALUES ('l0600x', 'e0', 't0', 'play', 1, 0), ('l0600x', 'e1', 't1', 'play', 2, 0), ('l0002', 'late', 't1', 'play', 100000, 0)",
      ),
      env.DB.prepare("INSERT INTO event_rollups (listener_id, track_id, plays, last_ts) VALUES ('l0001', 't1', 3, 0)"),
    ]);
  });

  it("builds the evidence matrix the model is trained from", async () => {
    const set = await loadTrainingSet(env.DB);
    const { rows, cols, indptr, indices, values } = set.interactions;
    expect([rows, cols, set.listeners.length]).toEqual([LISTENERS, 3, LISTENERS]);
    expect(set.listeners).not.toContain("l0600x");
    for (let l = 0; l < LISTENERS; l++) {
      const played = l % 3,
        skipped = (l + 1) % 3;
      const expected = new Map([
        [played, evidenceWeight({ ...counts, plays: l === 1 ? 5 : 2 })],
        [skipped, evidenceWeight({ ...counts, skips: 1 })],
      ]);
      if (l === 2) expected.set(1, evidenceWeight({ ...counts, plays: 1 }));
      const entries = [...expected].sort((a, b) => a[0] - b[0]);
      expect([...indices.subarray(indptr[l]!, indptr[l + 1]!)], id(l)).toEqual(entries.map(([item]) => item));
      expect([...values.subarray(indptr[l]!, indptr[l + 1]!)], id(l)).toEqual(
        entries.map(([, weight]) => Math.fround(weight)),
      );
    }
    expect(await countEvents(env.DB)).toBe(LISTENERS * 3 + 3);
  });

  it("reads the histories of a range of listeners alone, most recent first", async () => {
    const set = await loadTrainingSet(env.DB);
    const index = { listeners: set.listeners, items: set.items };
    // Listener 2 played track 1 last; a skipped track is not in a history; l0600x is not in the index.
    expect(await loadHistories(env.DB, index, 0, 2)).toEqual([[0], [1], [1, 2]]);
    const range = await loadHistories(env.DB, index, 598, 601);
    expect(range).toEqual([598, 599, 600, 601].map((l) => [l % 3]));
  });

  it("reads in a trained model's index space, leaving out listeners and tracks that came later", async () => {
    const set = await loadTrainingSet(env.DB, { listeners: [id(4), id(5)], items: ["t1", "t2"] });
    const { rows, cols, indptr, indices } = set.interactions;
    expect([rows, cols]).toEqual([2, 2]);
    // Listener 4 played t1 and skipped t2; listener 5 played t2 and skipped t0, which is not in this index.
    expect([...indptr]).toEqual([0, 2, 3]);
    expect([...indices]).toEqual([0, 1, 1]);
  });
});
