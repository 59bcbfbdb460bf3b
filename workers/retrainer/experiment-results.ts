import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { problem, problemResponse } from "../../shared/api/problem";
import type { LatencyHistogram } from "../../shared/analytics/experiment-stats/latency";
import {
  NO_ACTIVITY,
  PRE_EXPOSURE_MS,
  type ListenerAggregates,
  type ListenerOutcome,
} from "../../shared/analytics/experiment-stats/outcome";
import { experimentResults } from "../../shared/analytics/experiment-stats/results";
import { experimentLatency, experiments } from "../../shared/db/schema";
import { ExperimentInput } from "../../shared/experiments/definition";
import { DEFAULT_SESSION_CONFIG } from "../../shared/session";
import { PLAYBACK_TYPES } from "../../shared/session/events";
import type { Env } from "./env";

const PLAYBACK = `(${[...PLAYBACK_TYPES].map((t) => `'${t}'`).join(", ")})`;

/**
 * The experiment's exposed listeners who allow analytics (as the KPIs count them), each with the
 * window read for them: from 14 days before their first exposure (?2) to the experiment's end (?3).
 * Both are on the service's clock of arrival, as exposed_at is: an event counts by its received_at, a
 * session by when its summary reached D1 (it closed then), never by the client's clock (see the
 * README's "Experiment analysis").
 */
const EXPOSED = `exposed AS (
  SELECT x.listener_id, x.variant, x.exposed_at FROM experiment_exposures x
  JOIN listeners l ON l.id = x.listener_id AND l.consent_analytics = 1
  WHERE x.experiment_id = ?1)`;

/**
 * Per listener and period (post = from exposure on), the playback counts of the KPIs' rules, in SQL
 * so that D1 answers one row per listener rather than every event:
 * - a start (shared/session/events.ts isStart, the session object's and the KPIs' rule): a play or
 *   repeat; a complete or skip unless it continues a play/repeat of the same track that was the
 *   listener's previous playback event within the session's idle timeout (?4);
 * - an early skip (shared/session/events.ts isEarlySkip with DEFAULT_SESSION_CONFIG): a skip before
 *   ?5 ms, or before the share ?6 of a track whose duration is known;
 * - a completion: a complete event. Listening time and likes and saves count every event.
 */
const EVENT_AGGREGATES = `WITH ${EXPOSED},
windowed AS (
  SELECT e.listener_id, e.event_id, e.type, e.track_id, e.ms_played, e.position_ms, e.client_ts, t.duration_ms,
         e.received_at >= x.exposed_at AS post, e.type IN ${PLAYBACK} AS playback
  FROM exposed x
  JOIN events e ON e.listener_id = x.listener_id AND e.received_at >= x.exposed_at - ?2 AND e.received_at < ?3
  LEFT JOIN tracks t ON t.id = e.track_id),
sequenced AS (
  SELECT *, lag(type) OVER w AS prev_type, lag(track_id) OVER w AS prev_track, lag(client_ts) OVER w AS prev_ts
  FROM windowed
  WINDOW w AS (PARTITION BY listener_id, playback ORDER BY client_ts, event_id))
SELECT listener_id, post,
  sum(type IN ('play', 'repeat') OR (type IN ('complete', 'skip') AND NOT coalesce(
    prev_track = track_id AND prev_type IN ('play', 'repeat') AND client_ts - prev_ts < ?4, 0))) AS starts,
  sum(type = 'skip' AND position_ms IS NOT NULL
      AND (position_ms < ?5 OR (duration_ms IS NOT NULL AND position_ms < ?6 * duration_ms))) AS early_skips,
  sum(type = 'complete') AS completions,
  sum(coalesce(ms_played, 0)) AS listening_ms,
  sum(type IN ('like', 'add_to_playlist')) AS likes_and_saves
FROM sequenced GROUP BY listener_id, post`;

/**
 * Per listener and period, the closed sessions that arrived in it; a summary stored before arrival
 * was kept (received_at null) counts by its end, the closest the client's clock comes to it.
 */
const SESSION_AGGREGATES = `WITH ${EXPOSED},
arrived AS (SELECT listener_id, length_ms, coalesce(received_at, ended_at) AS at FROM sessions)
SELECT x.listener_id, s.at >= x.exposed_at AS post, count(*) AS sessions, sum(s.length_ms) AS session_ms
FROM exposed x
JOIN arrived s ON s.listener_id = x.listener_id AND s.at >= x.exposed_at - ?2 AND s.at < ?3
GROUP BY x.listener_id, post`;

interface PeriodRow {
  listener_id: string;
  post: 0 | 1;
}
interface EventRow extends PeriodRow {
  starts: number;
  early_skips: number;
  completions: number;
  listening_ms: number;
  likes_and_saves: number;
}
interface SessionRow extends PeriodRow {
  sessions: number;
  session_ms: number;
}

/** Every exposed listener's outcome from exposure until `until`, and the covariate period before it. */
export async function readListenerOutcomes(db: D1Database, experimentId: string, until: number) {
  const { earlySkipMs, earlySkipShare, idleTimeoutMs } = DEFAULT_SESSION_CONFIG;
  const [exposed, events, sessions] = await db.batch([
    db.prepare(`WITH ${EXPOSED} SELECT listener_id, variant FROM exposed ORDER BY listener_id`).bind(experimentId),
    db.prepare(EVENT_AGGREGATES).bind(experimentId, PRE_EXPOSURE_MS, until, idleTimeoutMs, earlySkipMs, earlySkipShare),
    db.prepare(SESSION_AGGREGATES).bind(experimentId, PRE_EXPOSURE_MS, until),
  ]);
  const outcomes = new Map<string, ListenerOutcome>();
  for (const r of exposed!.results as { listener_id: string; variant: string }[]) {
    outcomes.set(r.listener_id, { variant: r.variant, post: { ...NO_ACTIVITY }, pre: { ...NO_ACTIVITY } });
  }
  const period = (r: PeriodRow): ListenerAggregates => {
    const o = outcomes.get(r.listener_id)!;
    return r.post ? o.post : o.pre;
  };
  for (const r of events!.results as EventRow[]) {
    Object.assign(period(r), {
      starts: r.starts,
      earlySkips: r.early_skips,
      completions: r.completions,
      listeningMs: r.listening_ms,
      likesAndSaves: r.likes_and_saves,
    });
  }
  for (const r of sessions!.results as SessionRow[]) {
    Object.assign(period(r), { sessions: r.sessions, sessionMs: r.session_ms });
  }
  return [...outcomes.values()];
}

/**
 * Per variant, its answers' serving times as a histogram (the edge's experiment_latency counts, keyed
 * by each bucket's upper bound), for the p99 latency guardrail.
 */
export async function readLatencyHistograms(
  db: D1Database,
  experimentId: string,
): Promise<Record<string, LatencyHistogram>> {
  const rows = await drizzle(db)
    .select({ variant: experimentLatency.variant, upperMs: experimentLatency.upperMs, count: experimentLatency.count })
    .from(experimentLatency)
    .where(eq(experimentLatency.experimentId, experimentId));
  const histograms: Record<string, Record<number, number>> = {};
  for (const r of rows) (histograms[r.variant] ??= {})[r.upperMs] = r.count;
  return histograms;
}

/** GET /admin/experiments/{id}/results: every variant against control, from D1 as it stands. */
export async function experimentResultsResponse(env: Env, id: string, now = Date.now()): Promise<Response> {
  const row = await drizzle(env.DB).select().from(experiments).where(eq(experiments.id, id)).get();
  if (!row) return problemResponse(problem(404, `No experiment ${id}`));
  const definition = ExperimentInput.parse(row.definition);
  // A stopped experiment's figures end with it: what its listeners did later was served by the default.
  const until = row.stoppedAt ?? now;
  const [listeners, latency] = await Promise.all([
    readListenerOutcomes(env.DB, id, until),
    readLatencyHistograms(env.DB, id),
  ]);
  return Response.json({
    id,
    name: definition.name,
    status: row.status,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
    ...experimentResults(definition, { listeners, latency }),
  });
}
