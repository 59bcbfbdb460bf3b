import { getTableConfig } from "drizzle-orm/sqlite-core";
import { bulkInsertStatements } from "../db/bulk";
import { kpiDaily, kpiListenerDays, kpiSessions } from "../db/schema";
import { dayOf, dayStart, DAY_MS } from "./days";
import { rollupDay, sessionHistogram, type ListenerPast, type RollupEvent } from "./rollup";
import { UNKNOWN, type Slice } from "./slice";
import { DEFAULT_SESSION_CONFIG } from "../session";

const PLAYBACK = `('play', 'complete', 'skip', 'repeat')`;
// Only listeners who allow analytics are counted, as their consent stands when the day is recomputed.
const CONSENTING = `JOIN listeners l ON l.id = e.listener_id AND l.consent_analytics = 1`;

interface EventRow {
  listener_id: string;
  event_id: string;
  track_id: string;
  type: RollupEvent["type"];
  position_ms: number | null;
  ms_played: number | null;
  device: string | null;
  context: string | null;
  client_ts: number;
  artist_id: string | null;
  duration_ms: number | null;
  region: string | null;
}

async function dayEvents(db: D1Database, start: number): Promise<RollupEvent[]> {
  const { results } = await db
    .prepare(
      `SELECT e.listener_id, e.event_id, e.track_id, e.type, e.position_ms, e.ms_played, e.device, e.context,
              e.client_ts, t.artist_id, t.duration_ms, l.region
       FROM events e ${CONSENTING} LEFT JOIN tracks t ON t.id = e.track_id
       WHERE e.client_ts >= ?1 AND e.client_ts < ?2`,
    )
    .bind(start, start + DAY_MS)
    .all<EventRow>();
  return results.map((r) => ({
    listenerId: r.listener_id,
    eventId: r.event_id,
    trackId: r.track_id,
    type: r.type,
    positionMs: r.position_ms,
    durationMs: r.duration_ms,
    msPlayed: r.ms_played,
    device: r.device,
    region: r.region,
    context: r.context === null ? null : JSON.parse(r.context),
    artistId: r.artist_id,
    at: r.client_ts,
  }));
}

/** What the day's listeners played before the day: every track (last played when) and artist, and their last playback. */
async function pastOf(db: D1Database, start: number): Promise<Map<string, ListenerPast>> {
  const today = `SELECT DISTINCT listener_id FROM events WHERE client_ts >= ?1 AND client_ts < ?1 + ${DAY_MS}`;
  const [played, last] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `SELECT e.listener_id, e.track_id, t.artist_id, max(e.client_ts) AS at FROM events e
         LEFT JOIN tracks t ON t.id = e.track_id
         WHERE e.client_ts < ?1 AND e.type IN ${PLAYBACK} AND e.listener_id IN (${today})
         GROUP BY e.listener_id, e.track_id
         UNION ALL
         SELECT r.listener_id, r.track_id, t.artist_id, r.last_ts AS at FROM event_rollups r
         LEFT JOIN tracks t ON t.id = r.track_id
         WHERE r.last_ts < ?1 AND r.listener_id IN (${today})`,
      )
      .bind(start),
    // SQLite answers the other columns of a max() group from the row with the maximum.
    db
      .prepare(
        `SELECT listener_id, type, track_id, max(client_ts) AS at FROM events
         WHERE client_ts < ?1 AND client_ts >= ?1 - ${DEFAULT_SESSION_CONFIG.idleTimeoutMs} AND type IN ${PLAYBACK}
           AND listener_id IN (${today})
         GROUP BY listener_id`,
      )
      .bind(start),
  ]);
  const past = new Map<string, ListenerPast>();
  const of = (id: string) => {
    const p: ListenerPast = past.get(id) ?? { lastPlayedAt: new Map(), artists: new Set() };
    past.set(id, p);
    return p;
  };
  for (const r of played!.results as {
    listener_id: string;
    track_id: string;
    artist_id: string | null;
    at: number;
  }[]) {
    const p = of(r.listener_id);
    // Tracks played longer ago than the repeat window still count as known (discovery), never as repeats;
    // those played before the retention window are known from their folded counts (event_rollups).
    p.lastPlayedAt.set(r.track_id, Math.max(r.at, p.lastPlayedAt.get(r.track_id) ?? r.at));
    if (r.artist_id) p.artists.add(r.artist_id);
  }
  for (const r of last!.results as { listener_id: string; type: RollupEvent["type"]; track_id: string; at: number }[]) {
    of(r.listener_id).lastPlayback = {
      type: r.type,
      trackId: r.track_id,
      positionMs: null,
      durationMs: null,
      at: r.at,
    };
  }
  return past;
}

async function daySessions(db: D1Database, start: number) {
  const { results } = await db
    .prepare(
      `SELECT s.length_ms AS lengthMs, coalesce(l.region, '${UNKNOWN}') AS region FROM sessions s
       JOIN listeners l ON l.id = s.listener_id AND l.consent_analytics = 1
       WHERE s.started_at >= ?1 AND s.started_at < ?2`,
    )
    .bind(start, start + DAY_MS)
    .all<{ lengthMs: number; region: string }>();
  return results;
}

/**
 * Recomputes the KPI rows of whole days from the stored events and sessions, replacing what was
 * there in one atomic batch. Recomputing rather than incrementing makes it idempotent by
 * construction: a redelivered batch, a retry after a failure between storing and rolling up, or an
 * erasure all end in the rows the stored data gives, never in counts added twice.
 */
export async function recomputeKpiDays(db: D1Database, days: readonly string[]): Promise<void> {
  if (days.length === 0) return;
  const rows: (typeof kpiDaily.$inferInsert)[] = [];
  const active: (typeof kpiListenerDays.$inferInsert)[] = [];
  const lengths: (typeof kpiSessions.$inferInsert)[] = [];
  for (const day of days) {
    const start = dayStart(day);
    const [events, past, sessions] = await Promise.all([
      dayEvents(db, start),
      pastOf(db, start),
      daySessions(db, start),
    ]);
    const rolled = rollupDay(events, past);
    rows.push(...rolled.rows.map((r) => ({ day, ...r })));
    active.push(...rolled.active.map((a) => ({ day, ...a })));
    lengths.push(...sessionHistogram(sessions).map((h) => ({ day, ...h })));
  }
  await db.batch([
    ...[kpiDaily, kpiListenerDays, kpiSessions].map((t) =>
      db
        .prepare(`DELETE FROM "${getTableConfig(t).name}" WHERE day IN (SELECT value FROM json_each(?1))`)
        .bind(JSON.stringify(days)),
    ),
    ...bulkInsertStatements(db, kpiDaily, rows, "replace"),
    ...bulkInsertStatements(db, kpiListenerDays, active, "replace"),
    ...bulkInsertStatements(db, kpiSessions, lengths, "replace"),
  ]);
}

const UTC_DAY = (column: string) => `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;

/**
 * The days whose figures a batch changes: its events' and sessions' days, and every later day with
 * events of the same listeners, since what a listener played first decides what counts later as a
 * start, a repeat or a discovery (a phone's offline plays may arrive after the day they were played).
 */
export async function daysTouched(
  db: D1Database,
  events: readonly { listener: string; clientTs: number }[],
  sessions: readonly { startedAt: number }[],
): Promise<string[]> {
  const days = new Set([...events.map((e) => dayOf(e.clientTs)), ...sessions.map((s) => dayOf(s.startedAt))]);
  if (events.length > 0) {
    const { results } = await db
      .prepare(
        `SELECT DISTINCT ${UTC_DAY("client_ts")} AS day FROM events
         WHERE listener_id IN (SELECT value FROM json_each(?1)) AND client_ts >= ?2`,
      )
      .bind(JSON.stringify([...new Set(events.map((e) => e.listener))]), Math.min(...events.map((e) => e.clientTs)))
      .all<{ day: string }>();
    for (const { day } of results) days.add(day);
  }
  return [...days].sort();
}

/** Below this many listeners, a KPI row that can no longer be recomputed could single one of them out. */
export const MIN_LISTENERS = 5;

/** Where the KPIs count a listener: what an erasure or a consent change recomputes (read before rows are deleted). */
export interface KpiFootprint {
  /** Days still covered by raw events: recomputed without the listener. */
  recompute: string[];
  /** Slices of older days (their raw events folded by retention), which cannot be recomputed. */
  retired: ({ day: string } & Slice)[];
}

export async function kpiFootprint(db: D1Database, listenerId: string): Promise<KpiFootprint> {
  const [days, slices, folded] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `SELECT ${UTC_DAY("client_ts")} AS day FROM events WHERE listener_id = ?1
         UNION SELECT ${UTC_DAY("started_at")} FROM sessions WHERE listener_id = ?1
         UNION SELECT day FROM kpi_listener_days WHERE listener_id = ?1`,
      )
      .bind(listenerId),
    db
      .prepare(
        `SELECT day, surface, device, region, variant, model_version AS modelVersion FROM kpi_listener_days WHERE listener_id = ?1`,
      )
      .bind(listenerId),
    // Retention deletes raw events up to a cutoff after folding them; the last folded one bounds the days it touched.
    db.prepare(`SELECT ${UTC_DAY("max(last_ts)")} AS day FROM event_rollups`),
  ]);
  const foldedUpTo = (folded!.results[0] as { day: string | null } | undefined)?.day ?? null;
  const raw = (day: string) => foldedUpTo === null || day > foldedUpTo;
  return {
    recompute: (days!.results as { day: string }[])
      .map((r) => r.day)
      .filter(raw)
      .sort(),
    retired: (slices!.results as unknown as ({ day: string } & Slice)[]).filter((r) => !raw(r.day)),
  };
}

/**
 * After the listener's rows are gone: days with raw events are recomputed without them; rows of
 * older days they were counted in are dropped when too few listeners make them up to hide one.
 */
export async function applyKpiErasure(db: D1Database, erasure: KpiFootprint): Promise<void> {
  await recomputeKpiDays(db, erasure.recompute);
  if (erasure.retired.length === 0) return;
  await db
    .prepare(
      `DELETE FROM kpi_daily WHERE listeners < ?2 AND (day, surface, device, region, variant, model_version) IN
       (SELECT json_extract(value, '$.day'), json_extract(value, '$.surface'), json_extract(value, '$.device'),
               json_extract(value, '$.region'), json_extract(value, '$.variant'), json_extract(value, '$.modelVersion')
        FROM json_each(?1))`,
    )
    .bind(JSON.stringify(erasure.retired), MIN_LISTENERS)
    .run();
}
