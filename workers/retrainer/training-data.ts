import { drizzle } from "drizzle-orm/d1";
import { and, count, eq, gte, lte, sql } from "drizzle-orm";
import { contentTags, featureVector } from "../../shared/catalog/features";
import { trackFromRow } from "../../shared/db/rows";
import { eventRollups, events, listeners, tracks } from "../../shared/db/schema";
import { eventCounts } from "../../shared/db/queries";
import { evidenceWeight, type EventCounts } from "../../shared/model/evidence";
import type { CsrMatrix } from "../../shared/model/sparse";
import type { TrainingData } from "../../shared/model/types";
import type { Track } from "../../shared/catalog/types";
import { mapYielding, pauseEvery } from "../../shared/util/sliced";

const COUNT_FIELDS = ["plays", "completes", "skips", "likes", "dislikes", "repeats", "adds"] as const;
type Evidence = EventCounts & { listenerId: string; trackId: string; lastTs: number };
/** Listeners read from D1 at a time: at Last.fm's 49 pairs a listener, a page is about 25,000 rows. */
const LISTENERS_PER_PAGE = 500;
/**
 * Rows of a page merged, listeners' rows placed in the matrix or tracks turned into content, between two
 * moments the reading hands the runtime back (see pauseEvery): a few milliseconds of work each.
 */
const ROWS_BETWEEN_YIELDS = 5_000;
const LISTENERS_BETWEEN_YIELDS = 50;
const TRACKS_BETWEEN_YIELDS = 2_000;

/** Evidence as a listener x item matrix, read page by page: one object per pair would not fit at scale. */
export type TrainingSet = TrainingData & { interactions: CsrMatrix };

/** The ids behind a model's indices: listener l is listeners[l], item i is items[i]. */
export interface ModelIndex {
  listeners: string[];
  items: string[];
}

/** Ids bound as one JSON parameter a query: about 40 KB of text, well under D1's 2 MB a value. */
const IDS_PER_QUERY = 2_000;

/** The D1 tracks with these ids; an id D1 lacks is left out. */
export async function tracksById(db: D1Database, ids: readonly string[]): Promise<Map<string, Track>> {
  const found = new Map<string, Track>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = JSON.stringify(ids.slice(i, i + IDS_PER_QUERY));
    const rows = await drizzle(db)
      .select()
      .from(tracks)
      .where(sql`${tracks.id} IN (SELECT value FROM json_each(${chunk}))`);
    for (const row of rows) found.set(row.id, trackFromRow(row));
  }
  return found;
}

/**
 * The catalog tracks that some listening (raw events or their rollups) names, by id: the only ones a model
 * learns. A track nobody has played gives the collaborative parts nothing to learn from, and indexing it
 * made the trainer's every per-item array and pass grow with the catalog (a million imported tracks against
 * the demo's 6,104 played ones); such a track is served through content and the catalog instead (see
 * catalog-publish.ts).
 */
export async function evidencedTrackIds(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT t.id FROM tracks t
       JOIN (SELECT track_id FROM events UNION SELECT track_id FROM event_rollups) e ON e.track_id = t.id
       ORDER BY t.id`,
    )
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** The tracks of a model's index (`items`, by default the evidenced ones), in its order. */
export async function loadTracks(db: D1Database, items?: string[]): Promise<Track[]> {
  const ids = items ?? (await evidencedTrackIds(db));
  const byId = await tracksById(db, ids);
  return ids.map((id) => {
    const track = byId.get(id);
    if (!track) throw new Error(`track ${id} of the trained model is gone from the catalog`);
    return track;
  });
}

/** Raw listening events held, the count a version records. */
export async function countEvents(db: D1Database): Promise<number> {
  const [row] = await drizzle(db).select({ n: count() }).from(events);
  return row?.n ?? 0;
}

/**
 * Listeners (with ids in [from, to], or all) who withdrew personalization consent: their stored history is
 * kept (they may consent again) but no model learns from it or publishes candidates for them.
 */
export async function withdrawnListeners(db: D1Database, from?: string, to?: string): Promise<Set<string>> {
  const inRange = from !== undefined && to !== undefined;
  const rows = await drizzle(db)
    .select({ id: listeners.id })
    .from(listeners)
    .where(
      and(
        eq(listeners.consentPersonalization, false),
        inRange ? gte(listeners.id, from) : undefined,
        inRange ? lte(listeners.id, to) : undefined,
      ),
    );
  return new Set(rows.map((r) => r.id));
}

/**
 * Reads every consenting listener's evidence per track from D1 in the model's index space: a new one (the
 * tracks some listening names, see evidencedTrackIds), or
 * `index`, the one a model was trained in (listeners and tracks that arrived since are left out, and a
 * listener who withdrew consent since has no evidence), with the catalog's content. Evidence is read a page
 * of listeners at a time, straight into the matrix.
 */
export async function loadTrainingSet(db: D1Database, index?: ModelIndex): Promise<TrainingSet> {
  const d = drizzle(db);
  const trackRows = await loadTracks(db, index?.items);
  const withdrawn = await withdrawnListeners(db);
  const listenerIds =
    index?.listeners ??
    (await d.select({ id: listeners.id }).from(listeners).orderBy(listeners.id))
      .map((r) => r.id)
      .filter((id) => !withdrawn.has(id));
  const itemIndex = new Map(trackRows.map((t, i) => [t.id, i]));

  // Recent raw events and the rollups of those past retention are both evidence; a pair may be in both, so
  // their pair counts bound the matrix from above, as they were when counted: events that arrive while the
  // pages are read make it grow.
  const [totals, rollupTotals] = await Promise.all([
    db
      .prepare("SELECT count(*) AS pairs FROM (SELECT 1 FROM events GROUP BY listener_id, track_id)")
      .first<{ pairs: number }>(),
    d.select({ pairs: count() }).from(eventRollups),
  ]);
  const indptr = new Int32Array(listenerIds.length + 1);
  let indices = new Int32Array((totals?.pairs ?? 0) + (rollupTotals[0]?.pairs ?? 0));
  let values = new Float32Array(indices.length);
  let nnz = 0;

  const pause = pauseEvery(LISTENERS_BETWEEN_YIELDS);
  for (let first = 0; first < listenerIds.length; first += LISTENERS_PER_PAGE) {
    const last = Math.min(first + LISTENERS_PER_PAGE, listenerIds.length) - 1;
    const page = await evidencePage(db, listenerIds[first]!, listenerIds[last]!);
    for (let l = first; l <= last; l++) {
      await pause();
      const id = listenerIds[l]!;
      const rows = withdrawn.has(id) ? [] : evidenceInIndex(page.get(id) ?? [], itemIndex);
      if (nnz + rows.length > indices.length) {
        // A quarter more than needed, so that a steady trickle of new events does not copy at every listener.
        const grown = Math.ceil((nnz + rows.length) * 1.25);
        [indices, values] = [grow(indices, new Int32Array(grown)), grow(values, new Float32Array(grown))];
      }
      for (const row of rows.sort((a, b) => a.item - b.item)) {
        indices[nnz] = row.item;
        values[nnz++] = row.weight;
      }
      indptr[l + 1] = nnz;
    }
  }
  return {
    listeners: listenerIds,
    items: trackRows.map((t) => t.id),
    interactions: {
      rows: listenerIds.length,
      cols: trackRows.length,
      indptr,
      // Views, not copies: a copy of the matrix is its size again, and the slack is at most the rollups (or a
      // quarter, after growing).
      indices: indices.subarray(0, nnz),
      values: values.subarray(0, nnz),
    },
    itemContent: await mapYielding(trackRows, TRACKS_BETWEEN_YIELDS, (t) => ({
      features: featureVector(t.features),
      tags: contentTags(t),
    })),
  };
}

function grow<T extends Int32Array | Float32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

type IndexedEvidence = { item: number; weight: number; lastTs: number };

/** A listener's evidence rows for tracks in the model's index, as signed weights. */
function evidenceInIndex(rows: Evidence[], itemIndex: Map<string, number>): IndexedEvidence[] {
  return rows
    .map((row) => ({ item: itemIndex.get(row.trackId), weight: evidenceWeight(row), lastTs: row.lastTs }))
    .filter((row): row is IndexedEvidence => row.item !== undefined);
}

/** The tracks a listener rated positively, most recent first: their history. */
function recentPositives(rows: IndexedEvidence[]): number[] {
  return rows
    .filter((r) => r.weight > 0)
    .sort((a, b) => b.lastTs - a.lastTs || a.item - b.item)
    .map((r) => r.item);
}

/**
 * The histories (see TrainingSet.history) of listeners first..last (inclusive) of a trained model's index,
 * read from D1 for them alone: what publishing a part of a version needs besides the model.
 */
export async function loadHistories(
  db: D1Database,
  index: ModelIndex,
  first: number,
  last: number,
): Promise<number[][]> {
  const itemIndex = new Map(index.items.map((id, i) => [id, i]));
  const page = await evidencePage(db, index.listeners[first]!, index.listeners[last]!);
  return index.listeners
    .slice(first, last + 1)
    .map((id) => recentPositives(evidenceInIndex(page.get(id) ?? [], itemIndex)));
}

/** Evidence per pair of the listeners with ids in [from, to], by listener: recent events and rollups merged. */
async function evidencePage(db: D1Database, from: string, to: string): Promise<Map<string, Evidence[]>> {
  const d = drizzle(db);
  const [recent, rolledUp] = await Promise.all([
    d
      .select(eventCounts)
      .from(events)
      .where(and(gte(events.listenerId, from), lte(events.listenerId, to)))
      .groupBy(events.listenerId, events.trackId),
    d
      .select()
      .from(eventRollups)
      .where(and(gte(eventRollups.listenerId, from), lte(eventRollups.listenerId, to))),
  ]);
  const byPair = new Map<string, Evidence>();
  const pause = pauseEvery(ROWS_BETWEEN_YIELDS);
  for (const row of [...recent, ...rolledUp]) {
    await pause();
    const key = `${row.listenerId}\u0000${row.trackId}`;
    const seen = byPair.get(key);
    if (!seen) {
      byPair.set(key, row);
      continue;
    }
    for (const k of COUNT_FIELDS) seen[k] += row[k];
    seen.lastTs = Math.max(seen.lastTs, row.lastTs);
  }
  const byListener = new Map<string, Evidence[]>();
  for (const row of byPair.values()) {
    await pause();
    const rows = byListener.get(row.listenerId);
    if (rows) rows.push(row);
    else byListener.set(row.listenerId, [row]);
  }
  return byListener;
}
