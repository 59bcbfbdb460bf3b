import { between, count, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { WINDOWS } from "../../shared/analytics/actives";
import { addDays } from "../../shared/analytics/days";
import {
  METRICS,
  metricRows,
  RETENTION,
  retentionRows,
  toCsv,
  type MetricsQuery,
} from "../../shared/analytics/metrics";
import { kpiDaily, kpiListenerDays, kpiListPlays, kpiSessions } from "../../shared/db/schema";
import type { Env } from "./env";

/** The answer of GET /admin/metrics from the rollups: its columns and rows. */
export async function readMetrics(env: Env, q: MetricsQuery) {
  const d = drizzle(env.DB);
  if (q.metric.includes(RETENTION)) {
    // A cohort is known by its listeners' first day, which may lie before the range: all days up to `to`.
    const actives = await d
      .selectDistinct({ day: kpiListenerDays.day, listenerId: kpiListenerDays.listenerId })
      .from(kpiListenerDays)
      .where(lte(kpiListenerDays.day, q.to));
    return { columns: ["week", "listeners", "d1", "d7", "d30"], rows: retentionRows(q, actives) };
  }
  const [figures, lengths, actives, lists] = await Promise.all([
    d
      .select()
      .from(kpiDaily)
      .where(between(kpiDaily.day, q.from, q.to)),
    d
      .select()
      .from(kpiSessions)
      .where(between(kpiSessions.day, q.from, q.to)),
    // MAU of the range's first day looks back a month before it.
    d
      .select()
      .from(kpiListenerDays)
      .where(between(kpiListenerDays.day, addDays(q.from, 1 - WINDOWS.mau), q.to)),
    d
      .select({
        day: kpiListPlays.day,
        surface: kpiListPlays.surface,
        device: kpiListPlays.device,
        region: kpiListPlays.region,
        variant: kpiListPlays.variant,
        modelVersion: kpiListPlays.modelVersion,
        started: count(),
        completed: sql<number>`coalesce(sum(${kpiListPlays.completed}), 0)`,
      })
      .from(kpiListPlays)
      .where(between(kpiListPlays.day, q.from, q.to))
      .groupBy(
        kpiListPlays.day,
        kpiListPlays.surface,
        kpiListPlays.device,
        kpiListPlays.region,
        kpiListPlays.variant,
        kpiListPlays.modelVersion,
      ),
  ]);
  const metrics = METRICS.filter((m) => q.metric.includes(m));
  return { columns: [q.by, ...metrics], rows: metricRows({ ...q, metric: metrics }, figures, lengths, actives, lists) };
}

/** JSON, or CSV when asked for by `format=csv` or an Accept of text/csv. */
export function metricsResponse(
  q: MetricsQuery,
  accept: string | undefined,
  answer: Awaited<ReturnType<typeof readMetrics>>,
) {
  const csv = q.format === "csv" || (q.format === undefined && /\btext\/csv\b/.test(accept ?? ""));
  if (csv) {
    return new Response(toCsv(answer.columns, answer.rows as Record<string, unknown>[]), {
      headers: { "content-type": "text/csv; charset=utf-8" },
    });
  }
  return Response.json({ from: q.from, to: q.to, by: q.by, metrics: answer.columns.slice(1), rows: answer.rows });
}
