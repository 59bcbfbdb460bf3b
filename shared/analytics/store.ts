import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { kpiDaily, kpiListenerDays, kpiListPlays, kpiSessions } from "../db/schema";
import { DEFAULT_SESSION_CONFIG } from "../session";
import {
  activeDays,
  FIGURES,
  figures,
  listPlays,
  sessionHistogram,
  type DayRow,
  type ListenerPast,
  type RollupEvent,
} from "./rollup";
import { SLICE_DIMENSIONS, UNKNOWN } from "./slice";

/*
 * How the KPI rollups stay exact. A listener's figures are a pure function of their stored events
 * (shared/analytics/rollup.ts `figures`), so a batch adds, per listener, the figures of their events
 * from the batch's earliest one on with the new events minus those without them: in order, that is
 * just the new events' own figures; a late event also recomputes what it changes after it (a start,
 * a repeat, a discovery). What a batch adds is computed from reads, and written in the same D1 batch
 * (one transaction) that inserts the events, whose first statement is a guard: it fails the whole
 * batch unless every listener's revision, erasure and analytics consent are still what the reads saw.
 * Every write of a listener's events, sessions, consent or erasure changes one of them, so a batch
 * that commits was computed from exactly the rows it adds to, and the events it counts as new are
 * exactly those its INSERT OR IGNORE inserts: each event is counted once, under any redelivery or
 * overlap, and nothing is added for a listener once their erasure or withdrawal has committed.
 */

const PLAYBACK = `('play', 'complete', 'skip', 'repeat')`;
const CONFLICT = "kpi_listener_changed_since_read";
/** Earlier than any event: reads from it take in all of a listener's stored events. */
const ALL = Number.MIN_SAFE_INTEGER;
/** Below this many listeners, a KPI row whose raw events are folded (nothing to subtract) could single one of them out. */
export const MIN_LISTENERS = 5;

/** What a batch needs read of one listener. */
export interface Wanted {
  listenerId: string;
  /** Stored events from this moment on are figured again with the new ones (their batch's earliest). */
  from: number;
  /** The batch's tracks, event ids and session starts of the listener. */
  tracks: string[];
  eventIds: string[];
  sessionStarts: number[];
}

/** What the reads said of one listener. */
export interface ListenerRead {
  listenerId: string;
  /** Their fingerprint: the guard checks it is unchanged when the batch writes. */
  revision: number;
  erasedAt: number | null;
  consent: number | null;
  region: string | null;
  /** Their stored events from `from` on, and what came before them. */
  stored: RollupEvent[];
  past: ListenerPast;
  tracks: Map<string, { artistId: string | null; durationMs: number | null }>;
  storedEventIds: Set<string>;
  /** Stored closed sessions among the batch's (all of them when every event was asked for). */
  sessions: { startedAt: number; lengthMs: number }[];
}

/** Listeners without a row yet (first events on their way) consent by default, as their first row will say. */
export const counts = (read: Pick<ListenerRead, "consent">) => read.consent !== 0;

const WANTED = `WITH w AS (SELECT json_extract(value, '$.listenerId') AS l, json_extract(value, '$.from') AS f, value AS v FROM json_each(?1))`;
const RELEVANT = `${WANTED}, rel AS (
  SELECT w.l, w.f, e.track_id FROM w JOIN events e ON e.listener_id = w.l AND e.client_ts >= w.f
  UNION SELECT w.l, w.f, j.value FROM w, json_each(w.v, '$.tracks') j)`;

/** One read transaction for every listener of a batch (or of an erasure or consent change). */
export async function readListeners(db: D1Database, wanted: readonly Wanted[]): Promise<Map<string, ListenerRead>> {
  const param = JSON.stringify(wanted);
  const [state, stored, ids, sessions, tracks, artists, last] = await db.batch<Record<string, unknown>>(
    [
      `${WANTED} SELECT w.l AS listenerId, coalesce((SELECT revision FROM kpi_listener_revisions WHERE listener_id = w.l), 0) AS revision,
         (SELECT erased_at FROM erasures WHERE listener_id = w.l) AS erasedAt, l.consent_analytics AS consent, l.region
       FROM w LEFT JOIN listeners l ON l.id = w.l`,
      `${WANTED} SELECT e.listener_id AS listenerId, e.event_id AS eventId, e.track_id AS trackId, e.type, e.position_ms AS positionMs,
         e.ms_played AS msPlayed, e.device, e.context, e.client_ts AS at, e.list_end AS listEnd
       FROM w JOIN events e ON e.listener_id = w.l AND e.client_ts >= w.f`,
      `${WANTED} SELECT w.l AS listenerId, e.event_id AS eventId FROM w, json_each(w.v, '$.eventIds') i
       JOIN events e ON e.listener_id = w.l AND e.event_id = i.value`,
      `${WANTED} SELECT w.l AS listenerId, s.started_at AS startedAt, s.length_ms AS lengthMs FROM w JOIN sessions s ON s.listener_id = w.l
       WHERE (w.f = ${ALL} OR s.started_at IN (SELECT value FROM json_each(w.v, '$.sessionStarts')))`,
      // Each track of interest: its artist and duration, when the listener last played it before `from`, raw or folded.
      `${RELEVANT} SELECT rel.l AS listenerId, rel.track_id AS trackId, t.artist_id AS artistId, t.duration_ms AS durationMs,
         (SELECT max(client_ts) FROM events e WHERE e.listener_id = rel.l AND e.track_id = rel.track_id AND e.client_ts < rel.f AND e.type IN ${PLAYBACK}) AS played,
         (SELECT last_ts FROM event_rollups r WHERE r.listener_id = rel.l AND r.track_id = rel.track_id AND r.last_ts < rel.f) AS folded
       FROM rel LEFT JOIN tracks t ON t.id = rel.track_id`,
      `${RELEVANT}, ra AS (SELECT DISTINCT rel.l, rel.f, t.artist_id FROM rel JOIN tracks t ON t.id = rel.track_id WHERE t.artist_id IS NOT NULL)
       SELECT ra.l AS listenerId, ra.artist_id AS artistId FROM ra
       WHERE EXISTS (SELECT 1 FROM events e JOIN tracks t ON t.id = e.track_id
                     WHERE e.listener_id = ra.l AND t.artist_id = ra.artist_id AND e.client_ts < ra.f AND e.type IN ${PLAYBACK})
          OR EXISTS (SELECT 1 FROM event_rollups r JOIN tracks t ON t.id = r.track_id
                     WHERE r.listener_id = ra.l AND t.artist_id = ra.artist_id AND r.last_ts < ra.f)`,
      // The order `figures` takes events in, so that its last playback before `from` is this one.
      `${WANTED} SELECT w.l AS listenerId, (SELECT json_array(e.type, e.track_id, e.client_ts) FROM events e
         WHERE e.listener_id = w.l AND e.client_ts < w.f AND e.client_ts > w.f - ${DEFAULT_SESSION_CONFIG.idleTimeoutMs}
           AND e.type IN ${PLAYBACK} ORDER BY e.client_ts DESC, e.event_id DESC LIMIT 1) AS last FROM w`,
    ].map((sql) => db.prepare(sql).bind(param)),
  );
  const reads = new Map<string, ListenerRead>();
  for (const r of state!.results as {
    listenerId: string;
    revision: number;
    erasedAt: number | null;
    consent: number | null;
    region: string | null;
  }[]) {
    reads.set(r.listenerId, {
      ...r,
      stored: [],
      past: { lastPlayedAt: new Map(), artists: new Set() },
      tracks: new Map(),
      storedEventIds: new Set(),
      sessions: [],
    });
  }
  const of = (id: unknown) => reads.get(id as string)!;
  for (const t of tracks!.results as {
    listenerId: string;
    trackId: string;
    artistId: string | null;
    durationMs: number | null;
    played: number | null;
    folded: number | null;
  }[]) {
    const read = of(t.listenerId);
    read.tracks.set(t.trackId, { artistId: t.artistId, durationMs: t.durationMs });
    const at = Math.max(t.played ?? -Infinity, t.folded ?? -Infinity);
    if (at > -Infinity) read.past.lastPlayedAt.set(t.trackId, at);
  }
  for (const a of artists!.results as { listenerId: string; artistId: string }[])
    of(a.listenerId).past.artists.add(a.artistId);
  for (const l of last!.results as { listenerId: string; last: string | null }[]) {
    if (l.last === null) continue;
    const [type, trackId, at] = JSON.parse(l.last) as [RollupEvent["type"], string, number];
    of(l.listenerId).past.lastPlayback = { type, trackId, at };
  }
  for (const i of ids!.results as { listenerId: string; eventId: string }[])
    of(i.listenerId).storedEventIds.add(i.eventId);
  for (const s of sessions!.results as { listenerId: string; startedAt: number; lengthMs: number }[]) {
    of(s.listenerId).sessions.push({ startedAt: s.startedAt, lengthMs: s.lengthMs });
  }
  for (const e of stored!.results as (Omit<
    RollupEvent,
    "artistId" | "durationMs" | "region" | "context" | "listEnd"
  > & {
    context: string | null;
    listEnd: number;
  })[]) {
    const read = of(e.listenerId);
    read.stored.push({
      ...e,
      ...(read.tracks.get(e.trackId) ?? { artistId: null, durationMs: null }),
      region: read.region,
      context: e.context === null ? null : JSON.parse(e.context),
      listEnd: e.listEnd === 1,
    });
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
  reads: readonly ListenerRead[],
  erasedAt: (read: ListenerRead) => number | null = (r) => r.erasedAt,
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

/** A listener's stored events and sessions as the KPIs count them: every event of theirs, read in one transaction. */
export async function readWhole(db: D1Database, listenerId: string): Promise<ListenerRead> {
  const reads = await readListeners(db, [{ listenerId, from: ALL, tracks: [], eventIds: [], sessionStarts: [] }]);
  return reads.get(listenerId)!;
}

const regionOf = (read: ListenerRead) => read.region ?? UNKNOWN;

/** Puts a listener who consents again back into the rollups, from their raw events and sessions. */
export function addListener(db: D1Database, read: ListenerRead): D1PreparedStatement[] {
  const sessions = read.sessions.map((s) => ({ ...s, region: regionOf(read) }));
  return [
    ...figureStatements(db, figures(read.stored, read.past), sessions, 1),
    ...membershipStatements(db, read.stored),
  ];
}

/**
 * Takes a listener (erased, or withdrawing analytics) out of the rollups: what their raw events and
 * sessions added is subtracted, their membership rows are deleted, and on days whose raw events
 * retention has already folded (which cannot be subtracted), the rows they were counted in are
 * dropped when fewer than MIN_LISTENERS remain in them to hide one.
 */
export function removeListener(db: D1Database, read: ListenerRead): D1PreparedStatement[] {
  const sessions = read.sessions.map((s) => ({ ...s, region: regionOf(read) }));
  const counted = counts(read);
  return [
    ...(counted ? figureStatements(db, figures(read.stored, read.past), sessions, -1) : []),
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
      .bind(read.listenerId, MIN_LISTENERS),
    db.prepare(`DELETE FROM kpi_listener_days WHERE listener_id = ?1`).bind(read.listenerId),
    db.prepare(`DELETE FROM kpi_list_plays WHERE listener_id = ?1`).bind(read.listenerId),
    ...dropEmpty(db),
  ];
}
