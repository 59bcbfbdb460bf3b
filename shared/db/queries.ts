import { and, asc, count, countDistinct, desc, eq, gte, inArray, notInArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Track } from "../catalog/types";
import { trackFromRow } from "./rows";
import { NO_EVENTS, type EventCounts } from "../model/evidence";
import type { HistoryEntry } from "../playlists/types";
import { deadLetters, erasures, eventRollups, events, listeners, tracks } from "./schema";

export const CHART_WINDOW_MS = 30 * 24 * 3600 * 1000;
/** How many tracks a chart holds: the most a chart request may ask for. */
export const CHART_LENGTH = 100;
const POSITIVE_TYPES = ["play", "complete", "repeat", "like", "add_to_playlist"];

/**
 * Top tracks by distinct listeners over a window, globally or in one region: the single chart rule. Only
 * listeners who consent to personalisation count: a withdrawal keeps the history stored but out of what is
 * learnt or published from it. A region's rows are what its listeners played, unfiltered: whether they make
 * its chart is crowdChart's (shared/crowd.ts).
 */
export async function chartFromEvents(
  db: D1Database,
  options: { region: string | null; since: number; limit: number },
) {
  const d = drizzle(db);
  const listenersCol = countDistinct(events.listenerId);
  const where = and(gte(events.clientTs, options.since), inArray(events.type, POSITIVE_TYPES));
  const base = d.select({ trackId: events.trackId, listeners: listenersCol }).from(events);
  const rows = options.region
    ? await base
        .innerJoin(listeners, eq(listeners.id, events.listenerId))
        .where(and(where, eq(listeners.region, options.region), eq(listeners.consentPersonalization, true)))
        .groupBy(events.trackId)
        .orderBy(desc(listenersCol), asc(events.trackId))
        .limit(options.limit)
    : await base
        // The withdrawn are few: SQLite lists them once, not once an event.
        .where(and(where, notInArray(events.listenerId, withdrawnListeners(d))))
        .groupBy(events.trackId)
        .orderBy(desc(listenersCol), asc(events.trackId))
        .limit(options.limit);
  return rows;
}

/** Listeners who withdrew personalization consent, as a subquery. */
const withdrawnListeners = (d: ReturnType<typeof drizzle>) =>
  d.select({ id: listeners.id }).from(listeners).where(eq(listeners.consentPersonalization, false));

/** The listener's most recent positively-played tracks: seeds for recommendations when no model list exists. */
export async function recentPositiveTracks(db: D1Database, listener: string, limit: number): Promise<string[]> {
  const rows = await drizzle(db)
    .select({ trackId: events.trackId, last: sql<number>`max(${events.clientTs})` })
    .from(events)
    .where(and(eq(events.listenerId, listener), inArray(events.type, POSITIVE_TYPES)))
    .groupBy(events.trackId)
    .orderBy(desc(sql`max(${events.clientTs})`))
    .limit(limit);
  return rows.map((r) => r.trackId);
}

/**
 * Tracks of the seed's genre read on either side of it in sound-key order (see sound-key.ts) before the
 * closest are chosen: a bounded read, so a track's content neighbours cost the same in a genre of 300 or
 * of 60,000, at the price of a near neighbour whose key falls further away in that order.
 */
export const CONTENT_WINDOW = 128;

const CONTENT_NEIGHBOURS = `WITH seed AS (SELECT id, genre, sound_key, energy, valence, danceability, tempo FROM tracks WHERE id = ?1),
  near AS (
    SELECT * FROM (SELECT t.id, t.energy, t.valence, t.danceability, t.tempo FROM seed JOIN tracks t ON t.genre = seed.genre
      AND (t.sound_key, t.id) > (seed.sound_key, seed.id) ORDER BY t.sound_key, t.id LIMIT ${CONTENT_WINDOW})
    UNION ALL
    SELECT * FROM (SELECT t.id, t.energy, t.valence, t.danceability, t.tempo FROM seed JOIN tracks t ON t.genre = seed.genre
      AND (t.sound_key, t.id) < (seed.sound_key, seed.id) ORDER BY t.sound_key DESC, t.id DESC LIMIT ${CONTENT_WINDOW}))
  SELECT near.id FROM near, seed
  ORDER BY abs(near.energy - seed.energy) + abs(near.valence - seed.valence) + abs(near.danceability - seed.danceability)
    + abs(near.tempo - seed.tempo) / 100.0, near.id
  LIMIT ?2`;

/** The statement contentNeighbours runs (its D1 meta says how many rows it read). */
export function contentNeighboursQuery(db: D1Database, trackId: string, limit: number): D1PreparedStatement {
  return db.prepare(CONTENT_NEIGHBOURS).bind(trackId, limit);
}

/**
 * Content neighbours when no model has published neighbours for a track: of its genre, the closest in sound
 * among the 2 x CONTENT_WINDOW nearest it in sound-key order.
 */
export async function contentNeighbours(db: D1Database, trackId: string, limit: number): Promise<string[]> {
  const { results } = await contentNeighboursQuery(db, trackId, limit).all<{ id: string }>();
  return results.map((r) => r.id);
}

/**
 * A few tracks of one artist or one genre (in its one spelling, see genreName), for choices made
 * while the published catalog cannot be read; D1 knows no popularity, so the order is the ids'.
 */
export async function tracksOf(
  db: D1Database,
  choice: { artistId: string } | { genre: string },
  limit: number,
): Promise<Track[]> {
  const rows = await drizzle(db)
    .select()
    .from(tracks)
    .where("artistId" in choice ? eq(tracks.artistId, choice.artistId) : sql`lower(${tracks.genre}) = ${choice.genre}`)
    .orderBy(asc(tracks.id))
    .limit(limit);
  return rows.map(trackFromRow);
}

/** The names of the artists D1 knows among `ids`, from their tracks (at most 90 ids a call, under D1's bound-parameter limit). */
export async function artistNames(db: D1Database, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await drizzle(db)
    .selectDistinct({ id: tracks.artistId, name: tracks.artistName })
    .from(tracks)
    .where(inArray(tracks.artistId, [...ids]));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function countRows(
  db: D1Database,
  table: typeof tracks | typeof events | typeof listeners,
): Promise<number> {
  const [row] = await drizzle(db).select({ n: count() }).from(table);
  return row?.n ?? 0;
}

/** Per-(listener, track) event counts, the shape the model's evidence weight and the retention rollups share. */
export const eventCounts = {
  listenerId: events.listenerId,
  trackId: events.trackId,
  plays: sql<number>`sum(${events.type} = 'play')`.as("plays"),
  completes: sql<number>`sum(${events.type} = 'complete')`.as("completes"),
  skips: sql<number>`sum(${events.type} = 'skip')`.as("skips"),
  likes: sql<number>`sum(${events.type} = 'like')`.as("likes"),
  dislikes: sql<number>`sum(${events.type} = 'dislike')`.as("dislikes"),
  repeats: sql<number>`sum(${events.type} = 'repeat')`.as("repeats"),
  adds: sql<number>`sum(${events.type} = 'add_to_playlist')`.as("adds"),
  lastTs: sql<number>`max(${events.clientTs})`.as("last_ts"),
};

/** Dead letters about one listener: their bodies are queue messages, which name the listener by pseudonym. */
export function deadLettersOf(pseudonym: string) {
  return sql`json_extract(${deadLetters.body}, '$.listener') = ${pseudonym}`;
}

/**
 * Every track the listener ever played with what they did with it: the raw events of the retention
 * window and the rollups of older ones, added up. What "never heard" is judged against.
 */
export async function listeningHistory(db: D1Database, listener: string): Promise<HistoryEntry[]> {
  const d = drizzle(db);
  const { listenerId: _, ...counts } = eventCounts;
  const [recent, rolledUp] = await d.batch([
    d.select(counts).from(events).where(eq(events.listenerId, listener)).groupBy(events.trackId),
    d.select().from(eventRollups).where(eq(eventRollups.listenerId, listener)),
  ]);
  const byTrack = new Map<string, HistoryEntry>();
  for (const row of [...recent, ...rolledUp]) {
    let entry = byTrack.get(row.trackId);
    if (!entry) {
      entry = { trackId: row.trackId, lastTs: 0, ...NO_EVENTS };
      byTrack.set(row.trackId, entry);
    }
    for (const field of Object.keys(NO_EVENTS) as (keyof EventCounts)[]) entry[field] += Number(row[field]);
    entry.lastTs = Math.max(entry.lastTs, Number(row.lastTs));
  }
  return [...byTrack.values()];
}

/** When each of `listenerIds` who asked to be erased did, read 90 ids at a time (D1's 100 bound parameters). */
export async function erasureTimes(db: D1Database, listenerIds: readonly string[]): Promise<Map<string, number>> {
  const erased = new Map<string, number>();
  for (let i = 0; i < listenerIds.length; i += 90) {
    const rows = await drizzle(db)
      .select()
      .from(erasures)
      .where(inArray(erasures.listenerId, listenerIds.slice(i, i + 90)));
    for (const row of rows) erased.set(row.listenerId, row.erasedAt);
  }
  return erased;
}
