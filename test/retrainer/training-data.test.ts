import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { evidenceWeight } from "../../shared/model/evidence";
import { countEvents, loadHistories, loadTrainingSet } from "../../workers/retrainer/training-data";

/**
 * The real D1, with `arrive` run once just before the first page of evidence is read, after the loader has
 * counted the pairs: events landing while a retrain reads its data.
 */
function arrivingWhilePaging(db: D1Database, arrive: () => Promise<unknown>): D1Database {
  let arrived: Promise<unknown> | undefined;
  const run = new Set<PropertyKey>(["all", "raw", "first", "run"]);
  const delayed = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => delayed(target.bind(...values));
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== "function") return value;
        if (!run.has(prop)) return value.bind(target);
        return async (...args: unknown[]) => {
          await (arrived ??= arrive());
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === "prepare") {
        return (query: string) => {
          const statement = target.prepare(query);
          return /from "events" where/.test(query) ? delayed(statement) : statement;
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const LISTENERS = 1200;
const id = (i: number) => `l${String(i).padStart(4, "0")}`;
const counts = { plays: 0, completes: 0, skips: 0, likes: 0, dislikes: 0, repeats: 0, adds: 0 };

/**
 * More listeners than one page of the loader, each with two plays of track i % 3 and a skip of track
 * (i + 1) % 3; one pair also has a rollup, one listener a newer play, and one listener id missing from the
 * listeners table sits inside a page's id range. Track t3 is in the catalog, but nobody has played it.
 */
describe("reading training data from D1 page by page", () => {
  beforeAll(async () => {
    const track = (n: number) =>
      `('t${n}','T${n}','a${n}','A','al','Al','rock','2020-01-01',120,0.5,0.5,0.5,0.5,0.1,0.1,-8,1,1,200000)`;
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO tracks (id, title, artist_id, artist_name, album_id, album_title, genre, release_date, tempo, energy, valence, danceability, acousticness, instrumentalness, speechiness, loudness, key, mode, duration_ms) VALUES ${[0, 1, 2, 3].map(track).join(",")}`,
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

  it("trains only the tracks some listening names", async () => {
    const set = await loadTrainingSet(env.DB);
    expect(set.items).toEqual(["t0", "t1", "t2"]);
    expect(set.itemContent).toHaveLength(3);
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

  it("leaves out listeners who withdrew personalization consent, and takes them back when they consent again", async () => {
    const withdraw = (consent: boolean) =>
      env.DB.prepare("UPDATE listeners SET consent_personalization = ? WHERE id = ?")
        .bind(consent ? 1 : 0, id(7))
        .run();
    await withdraw(false);
    const without = await loadTrainingSet(env.DB);
    expect(without.listeners).not.toContain(id(7));
    expect(without.listeners).toHaveLength(LISTENERS - 1);
    // A model's own index keeps its rows in place, but a listener who withdrew since has no evidence in it.
    const inIndex = await loadTrainingSet(env.DB, { listeners: [id(6), id(7), id(8)], items: ["t0", "t1", "t2"] });
    expect([...inIndex.interactions.indptr]).toEqual([0, 2, 2, 4]);
    await withdraw(true);
    expect((await loadTrainingSet(env.DB)).listeners).toContain(id(7));
  });

  // Last: it adds events.
  it("holds the pairs of events that arrive while the pages are read", async () => {
    // Every listener of the second and third page plays the track they had not touched: 700 new pairs.
    const arrive = () =>
      env.DB.prepare(
        `INSERT INTO events (listener_id, event_id, track_id, type, client_ts, received_at)
         SELECT id, 'meanwhile', 't' || ((CAST(substr(id, 2) AS INTEGER) + 2) % 3), 'play', 1, 0
         FROM listeners WHERE id >= 'l0500'`,
      ).run();
    const set = await loadTrainingSet(arrivingWhilePaging(env.DB, arrive));
    const { rows, indptr, indices } = set.interactions;
    expect(indptr[rows]).toBe(indices.length);
    for (const l of [499, 500, 1000, LISTENERS - 1]) {
      const row = [...indices.subarray(indptr[l]!, indptr[l + 1]!)];
      expect(row, id(l)).toEqual(l >= 500 ? [0, 1, 2] : [l % 3, (l + 1) % 3].sort());
    }
  });
});
