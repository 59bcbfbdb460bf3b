import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { kpiDaily, kpiListenerDays, kpiListPlays, kpiSessions } from "../db/schema";
import { MIN_CROWD } from "../crowd";
import { DEFAULT_SESSION_CONFIG } from "../session";
import {
  activeDays,
  FIGURES,
  figures,
  listPlays,
  sessionHistogram,
  type Before,
  type DayRow,
  type ListenerPast,
  type RollupEvent,
} from "./rollup";
import { SLICE_DIMENSIONS } from "./groups";
import { UNKNOWN } from "./slice";

/*
 * How the KPI rollups stay exact. A listener's figures are a pure function of their stored events
 * (shared/analytics/rollup.ts `figures`), so a batch adds, per listener, their figures with the new
 * events less those without them (rollup.ts `added`): the new events' own, and for a late event
 * what it changes in the few stored events after it (a start, a repeat, a discovery). That is
 * computed from reads of the events around each new one, and written in the same D1 batch
 * (one transaction) that inserts the events, whose first statement is a guard: it fails the whole
 * batch unless every listener's revision, erasure and analytics consent are still what the reads saw.
 * Every write of a listener's events, sessions, consent or erasure changes one of them, so a batch
 * that commits was computed from exactly the rows it adds to, and the events it counts as new are
 * exactly those its INSERT OR IGNORE inserts: each event is counted once, under any redelivery or
 * overlap, and nothing is added for a listener once their erasure or withdrawal has committed.
 */

const PLAYBACK = `('play', 'complete', 'skip', 'repeat')`;
const CONFLICT = "kpi_listener_changed_since_read";

/** What a batch needs read of one listener: its events and the starts of its closed sessions. */
export interface Wanted {
  listenerId: string;
  events: { eventId: string; at: number; trackId: string }[];
  sessionStarts: number[];
}

/** A listener's fingerprint as read: the guard checks it is unchanged when the batch writes. */
export interface ListenerState {
  listenerId: string;
  revision: number;
  erasedAt: number | null;
  consent: number | null;
  region: string | null;
}

type Track = { artistId: string | null; durationMs: number | null };

/** What the reads said of one listener of a batch. */
export interface ListenerRead extends ListenerState {
  tracks: Map<string, Track>;
  storedEventIds: Set<string>;
  /** Their stored closed sessions among the batch's. */
  sessions: { startedAt: number; lengthMs: number }[];
  /** For each of the batch's events, what the stored events before it were (rollup.ts `Before`). */
  before: Map<string, Before>;
  /** Stored events whose figures the batch's events may change, each with what was stored before it. */
  affected: { event: RollupEvent; before: Before }[];
}

/** Listeners without a row yet (first events on their way) consent by default, as their first row will say. */
export const counts = (read: Pick<ListenerState, "consent">) => read.consent !== 0;

const STATE = `SELECT w.l AS listenerId, coalesce((SELECT revision FROM kpi_listener_revisions WHERE listener_id = w.l), 0) AS revision,
  (SELECT erased_at FROM erasures WHERE listener_id = w.l) AS erasedAt, l.consent_analytics AS consent, l.region
  FROM w LEFT JOIN listeners l ON l.id = w.l`;
const BATCH = `WITH x AS (SELECT value ->> '$.listenerId' AS l, value ->> '$.eventId' AS id, value ->> '$.at' AS at,
  value ->> '$.trackId' AS track, (SELECT artist_id FROM tracks WHERE id = value ->> '$.trackId') AS artist FROM json_each(?1)),
  w AS (SELECT value ->> '$.listenerId' AS l, value AS v FROM json_each(?2))`;
// Events before and after the row `a` (listener l, event id, at, track, artist) in `byTime` order.
const EARLIER = (a: string) => `(e.client_ts, e.event_id) < (${a}.at, ${a}.id)`;
const LATER = (a: string) => `(e.client_ts, e.event_id) > (${a}.at, ${a}.id)`;
/**
 * The stored `Before` of each row `a`: its previous playback (within a session's idle timeout), its track's last play, its artist.
 * Whether the artist is known goes from the artist's few tracks (tracks_artist) to the listener's plays of each
 * (events_listener_track): CROSS JOIN keeps SQLite to that order, which without table statistics otherwise walks
 * every earlier event of the listener, a few hundred rows an event (EXPLAIN QUERY PLAN; 7x the time of the whole read).
 */
const BEFORE = (a: string) => `
  (SELECT json_array(e.type, e.track_id, e.client_ts, e.event_id) FROM events e
   WHERE e.listener_id = ${a}.l AND e.type IN ${PLAYBACK} AND e.client_ts > ${a}.at - ${DEFAULT_SESSION_CONFIG.idleTimeoutMs} AND ${EARLIER(a)}
   ORDER BY e.client_ts DESC, e.event_id DESC LIMIT 1) AS previous,
  (SELECT e.client_ts FROM events e WHERE e.listener_id = ${a}.l AND e.track_id = ${a}.track AND e.type IN ${PLAYBACK} AND ${EARLIER(a)}
   ORDER BY e.client_ts DESC, e.event_id DESC LIMIT 1) AS played,
  (SELECT last_ts FROM event_rollups r WHERE r.listener_id = ${a}.l AND r.track_id = ${a}.track AND r.last_ts < ${a}.at) AS folded,
  (${a}.artist IS NOT NULL AND (
     EXISTS (SELECT 1 FROM tracks t CROSS JOIN events e ON e.listener_id = ${a}.l AND e.track_id = t.id
             WHERE t.artist_id = ${a}.artist AND e.type IN ${PLAYBACK} AND ${EARLIER(a)})
     OR EXISTS (SELECT 1 FROM tracks t CROSS JOIN event_rollups r ON r.listener_id = ${a}.l AND r.track_id = t.id
                WHERE t.artist_id = ${a}.artist AND r.last_ts < ${a}.at))) AS artistKnown`;
/** The first stored playback after each row of x that `extra` allows (any, of its track, of its artist). */
const FIRST_AFTER = (from: string, extra: string) => `SELECT x.l, (SELECT e.event_id FROM ${from}
  WHERE e.type IN ${PLAYBACK} AND ${LATER("x")} ${extra} ORDER BY e.client_ts, e.event_id LIMIT 1) AS id FROM x`;
const EVENT_COLUMNS = `e.listener_id AS listenerId, e.event_id AS eventId, e.track_id AS trackId, e.type, e.position_ms AS positionMs,
  e.ms_played AS msPlayed, e.device, e.context, e.client_ts AS at, e.list_end AS listEnd, t.artist_id AS artistId, t.duration_ms AS durationMs`;

type BeforeRow = { previous: string | null; played: number | null; folded: number | null; artistKnown: number | null };
type EventRow = Omit<RollupEvent, "region" | "context" | "listEnd"> & { context: string | null; listEnd: number };

function beforeOf(r: BeforeRow): Before {
  const played = [r.played, r.folded].filter((t) => t !== null);
  const previous =
    r.previous === null ? undefined : (JSON.parse(r.previous) as [RollupEvent["type"], string, number, string]);
  return {
    previous: previous && { type: previous[0], trackId: previous[1], at: previous[2], eventId: previous[3] },
    trackPlayedAt: played.length > 0 ? Math.max(...played) : undefined,
    artistKnown: r.artistKnown === 1,
  };
}

const eventOf = (e: EventRow, region: string | null): RollupEvent => ({
  ...e,
  region,
  context: e.context === null ? null : JSON.parse(e.context),
  listEnd: e.listEnd === 1,
});

/**
 * One read transaction for every listener of a batch: their fingerprints, which of the batch's
 * events and sessions are stored already, and around each event what figuring it needs (rollup.ts
 * `added`): a few index lookups an event, however long the listener's history or busy the day.
 */
export async function readListeners(db: D1Database, wanted: readonly Wanted[]): Promise<Map<string, ListenerRead>> {
  const events = JSON.stringify(wanted.flatMap((w) => w.events.map((e) => ({ listenerId: w.listenerId, ...e }))));
  const listeners = JSON.stringify(wanted.map((w) => ({ listenerId: w.listenerId, sessionStarts: w.sessionStarts })));
  const [state, ids, sessions, tracks, befores, affected] = await db.batch<Record<string, unknown>>(
    [
      `${BATCH} ${STATE}`,
      `${BATCH} SELECT x.l AS listenerId, x.id AS eventId FROM x JOIN events e ON e.listener_id = x.l AND e.event_id = x.id`,
      `${BATCH} SELECT w.l AS listenerId, s.started_at AS startedAt, s.length_ms AS lengthMs FROM w
       JOIN sessions s ON s.listener_id = w.l AND s.started_at IN (SELECT value FROM json_each(w.v, '$.sessionStarts'))`,
      `${BATCH} SELECT DISTINCT x.l AS listenerId, x.track AS trackId, t.artist_id AS artistId, t.duration_ms AS durationMs
       FROM x LEFT JOIN tracks t ON t.id = x.track`,
      `${BATCH} SELECT x.l AS listenerId, x.id AS eventId, ${BEFORE("x")} FROM x`,
      `${BATCH}, s AS (
         ${FIRST_AFTER("events e", "AND e.listener_id = x.l")}
         UNION ${FIRST_AFTER("events e", "AND e.listener_id = x.l AND e.track_id = x.track")}
         UNION ${FIRST_AFTER("tracks ta JOIN events e ON e.listener_id = x.l AND e.track_id = ta.id", "AND ta.artist_id = x.artist")}),
       a AS (SELECT e.listener_id AS l, e.event_id AS id, e.track_id AS track, t.artist_id AS artist, ${EVENT_COLUMNS}
             FROM s JOIN events e ON e.listener_id = s.l AND e.event_id = s.id LEFT JOIN tracks t ON t.id = e.track_id)
       SELECT a.*, ${BEFORE("a")} FROM a`,
    ].map((sql) => db.prepare(sql).bind(events, listeners)),
  );
  const reads = new Map<string, ListenerRead>();
  for (const r of state!.results as unknown as ListenerState[]) {
    reads.set(r.listenerId, {
      ...r,
      tracks: new Map(),
      storedEventIds: new Set(),
      sessions: [],
      before: new Map(),
      affected: [],
    });
  }
  const of = (id: unknown) => reads.get(id as string)!;
  for (const t of tracks!.results as ({ listenerId: string; trackId: string } & Track)[]) {
    of(t.listenerId).tracks.set(t.trackId, { artistId: t.artistId, durationMs: t.durationMs });
  }
  for (const i of ids!.results as { listenerId: string; eventId: string }[])
    of(i.listenerId).storedEventIds.add(i.eventId);
  for (const s of sessions!.results as { listenerId: string; startedAt: number; lengthMs: number }[]) {
    of(s.listenerId).sessions.push({ startedAt: s.startedAt, lengthMs: s.lengthMs });
  }
  for (const b of befores!.results as ({ listenerId: string; eventId: string } & BeforeRow)[]) {
    of(b.listenerId).before.set(b.eventId, beforeOf(b));
  }
  for (const a of affected!.results as (EventRow & BeforeRow)[]) {
    const read = of(a.listenerId);
    read.affected.push({ event: eventOf(a, read.region), before: beforeOf(a) });
  }
  return reads;
}

/**
 * The first statement of a batch that writes what `reads` computed: it fails the batch (one
 * transaction, all rolled back) unless each listener is as read. The erasure a caller read itself
 * (the consumer, before choosing which messages to keep) is what is checked, when it gives one.
 */
export function guard(
  db: D1Database,
  reads: readonly ListenerState[],
  erasedAt: (read: ListenerState) => number | null = (r) => r.erasedAt,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO kpi_conflicts (listeners) SELECT n FROM (SELECT count(*) AS n FROM json_each(?1) j
       WHERE coalesce((SELECT revision FROM kpi_listener_revisions WHERE listener_id = j.value ->> 0), 0) IS NOT j.value ->> 1
          OR (SELECT erased_at FROM erasures WHERE listener_id = j.value ->> 0) IS NOT j.value ->> 2
          OR (SELECT consent_analytics FROM listeners WHERE id = j.value ->> 0) IS NOT j.value ->> 3) WHERE n > 0`,
    )
    .bind(JSON.stringify(reads.map((r) => [r.listenerId, r.revision, erasedAt(r), r.consent])));
}

/** Whether a batch failed because what it was computed from changed meanwhile (compute it again). */
export function isKpiConflict(error: unknown): boolean {
  return String(error).includes(CONFLICT);
}

/** Runs `attempt` (read, compute, write one batch) again while it loses to a concurrent write. */
export async function retryConflicts<T>(attempt: () => Promise<T>, tries = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isKpiConflict(error) || i >= tries) throw error;
    }
  }
}

/** Raises the listeners' revisions: part of every batch that writes their events, sessions or KPIs. */
export function bump(db: D1Database, listenerIds: readonly string[]): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO kpi_listener_revisions (listener_id, revision) SELECT value, 1 FROM json_each(?1) WHERE true
       ON CONFLICT (listener_id) DO UPDATE SET revision = revision + 1`,
    )
    .bind(JSON.stringify(listenerIds));
}

const column = (t: SQLiteTable, key: string) => (t as unknown as Record<string, { name: string }>)[key]!.name;

/**
 * Upserts rows (objects of the table's columns by their keys) passed as one JSON parameter: `keys`
 * identify a row, `added` are added to it (times `sign`), or `onConflict` says what else to do.
 */
function upsert(
  db: D1Database,
  table: SQLiteTable,
  rows: readonly object[],
  keys: readonly string[],
  added: readonly string[],
  sign: 1 | -1,
  onConflict = added.map((k) => `${column(table, k)} = ${column(table, k)} + excluded.${column(table, k)}`).join(", "),
): D1PreparedStatement[] {
  if (rows.length === 0) return [];
  const all = Object.keys(rows[0]!);
  const value = (k: string) => (added.includes(k) ? `${sign} * (value ->> '$.${k}')` : `value ->> '$.${k}'`);
  const statements: D1PreparedStatement[] = [];
  // Well within D1's 100 KB a statement.
  for (let i = 0; i < rows.length; i += 200) {
    statements.push(
      db
        .prepare(
          `INSERT INTO ${getTableConfig(table).name} (${all.map((k) => column(table, k)).join(", ")})
           SELECT ${all.map(value).join(", ")} FROM json_each(?1) WHERE true
           ON CONFLICT (${keys.map((k) => column(table, k)).join(", ")}) DO ${onConflict ? `UPDATE SET ${onConflict}` : "NOTHING"}`,
        )
        .bind(JSON.stringify(rows.slice(i, i + 200))),
    );
  }
  return statements;
}

const DAY_SLICE = ["day", ...SLICE_DIMENSIONS];

/** What the listener's events and sessions add to (sign 1) or take from (-1) the rollups. */
export function figureStatements(
  db: D1Database,
  rows: readonly DayRow[],
  sessions: readonly { startedAt: number; lengthMs: number; region: string }[],
  sign: 1 | -1,
): D1PreparedStatement[] {
  return [
    ...upsert(db, kpiDaily, rows, DAY_SLICE, FIGURES, sign),
    ...upsert(db, kpiSessions, sessionHistogram(sessions), ["day", "region", "lengthMs"], ["sessions"], sign),
  ];
}

/** The listener's membership rows: active days and list plays (a completion marks its day's play completed). */
export function membershipStatements(db: D1Database, events: readonly RollupEvent[]): D1PreparedStatement[] {
  return [
    ...upsert(db, kpiListenerDays, activeDays(events), ["day", "listenerId", ...SLICE_DIMENSIONS], [], 1, ""),
    ...upsert(
      db,
      kpiListPlays,
      listPlays(events).map((p) => ({ ...p, completed: p.completed ? 1 : 0 })),
      ["day", "recommendationId", "device"],
      [],
      1,
      "completed = max(completed, excluded.completed)",
    ),
  ];
}

/** Rows a subtraction left at nothing. */
function dropEmpty(db: D1Database): D1PreparedStatement[] {
  return [
    db.prepare(`DELETE FROM kpi_daily WHERE ${FIGURES.map((f) => `${column(kpiDaily, f)} = 0`).join(" AND ")}`),
    db.prepare(`DELETE FROM kpi_sessions WHERE sessions = 0`),
  ];
}

/** A listener's fingerprint, every stored event and session of theirs, and what retention folded: read in one transaction. */
export interface WholeListener extends ListenerState {
  events: RollupEvent[];
  past: ListenerPast;
  sessions: { startedAt: number; lengthMs: number }[];
}

export async function readWhole(db: D1Database, listenerId: string): Promise<WholeListener> {
  const w = `WITH w AS (SELECT ?1 AS l)`;
  const [state, events, sessions, folded] = await db.batch<Record<string, unknown>>(
    [
      `${w} ${STATE}`,
      `SELECT ${EVENT_COLUMNS} FROM events e LEFT JOIN tracks t ON t.id = e.track_id WHERE e.listener_id = ?1`,
      `SELECT started_at AS startedAt, length_ms AS lengthMs FROM sessions WHERE listener_id = ?1`,
      `SELECT r.track_id AS trackId, t.artist_id AS artistId, r.last_ts AS at FROM event_rollups r
       LEFT JOIN tracks t ON t.id = r.track_id WHERE r.listener_id = ?1`,
    ].map((sql) => db.prepare(sql).bind(listenerId)),
  );
  const read = state!.results[0] as unknown as ListenerState;
  const past: ListenerPast = { lastPlayedAt: new Map(), artists: new Set() };
  for (const f of folded!.results as { trackId: string; artistId: string | null; at: number }[]) {
    past.lastPlayedAt.set(f.trackId, f.at);
    if (f.artistId) past.artists.add(f.artistId);
  }
  return {
    ...read,
    events: (events!.results as EventRow[]).map((e) => eventOf(e, read.region)),
    past,
    sessions: sessions!.results as { startedAt: number; lengthMs: number }[],
  };
}

const regionOf = (read: ListenerState) => read.region ?? UNKNOWN;

/** Puts a listener who consents again back into the rollups, from their raw events and sessions. */
export function addListener(db: D1Database, read: WholeListener): D1PreparedStatement[] {
  const sessions = read.sessions.map((s) => ({ ...s, region: regionOf(read) }));
  return [
    ...figureStatements(db, figures(read.events, read.past), sessions, 1),
    ...membershipStatements(db, read.events),
  ];
}

/**
 * Takes a listener (erased, or withdrawing analytics) out of the rollups: what their raw events and
 * sessions added is subtracted, their membership rows are deleted, and on days whose raw events
 * retention has already folded (which cannot be subtracted), the rows they were counted in are
 * dropped when fewer than MIN_CROWD remain in them to hide one.
 */
export function removeListener(db: D1Database, read: WholeListener): D1PreparedStatement[] {
  const sessions = read.sessions.map((s) => ({ ...s, region: regionOf(read) }));
  const counted = counts(read);
  return [
    ...(counted ? figureStatements(db, figures(read.events, read.past), sessions, -1) : []),
    // Retention deletes raw events up to a cutoff after folding them; the last folded one bounds the days it touched.
    db
      .prepare(
        `WITH folded AS (SELECT strftime('%Y-%m-%d', max(last_ts) / 1000, 'unixepoch') AS day FROM event_rollups),
         retired AS (SELECT DISTINCT d.day, d.surface, d.device, d.region, d.variant, d.model_version FROM kpi_listener_days d, folded
                     WHERE d.listener_id = ?1 AND d.day <= folded.day)
         DELETE FROM kpi_daily WHERE (day, surface, device, region, variant, model_version) IN (SELECT * FROM retired)
           AND (SELECT count(DISTINCT o.listener_id) FROM kpi_listener_days o
                WHERE o.listener_id <> ?1 AND o.day = kpi_daily.day AND o.surface = kpi_daily.surface AND o.device = kpi_daily.device
                  AND o.region = kpi_daily.region AND o.variant = kpi_daily.variant AND o.model_version = kpi_daily.model_version) < ?2`,
      )
      .bind(read.listenerId, MIN_CROWD),
    db.prepare(`DELETE FROM kpi_listener_days WHERE listener_id = ?1`).bind(read.listenerId),
    db.prepare(`DELETE FROM kpi_list_plays WHERE listener_id = ?1`).bind(read.listenerId),
    ...dropEmpty(db),
  ];
}
