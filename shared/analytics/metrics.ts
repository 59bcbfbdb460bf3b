import { z } from "zod";
import { activeListeners, stickiness, WINDOWS, type ListenerDay } from "./actives";
import { DAY_MS, dayStart, daysBetween, weekOf } from "./days";
import { cohortRetention, type Cohort } from "./retention";
import type { DayFigures } from "./rollup";
import { sessionLengths, type LengthCount } from "./session-length";
import { METRIC_GROUPS } from "./groups";
import type { Slice } from "./slice";

/** Every figure GET /admin/metrics answers, but retention (cohorts by first-seen week, asked alone). */
export const METRICS = [
  "plays",
  "listeningMs",
  "skipRate",
  "completionRate",
  "repeatListens",
  "trackDiscoveries",
  "artistDiscoveries",
  "likes",
  "saves",
  "listsStarted",
  "listsCompleted",
  "playlistCompletionRate",
  "sessions",
  "likesPerSession",
  "savesPerSession",
  "sessionLengthMeanMs",
  "sessionLengthMedianMs",
  "sessionLengthP90Ms",
  "dau",
  "wau",
  "mau",
  "dauMau",
] as const;
export type Metric = (typeof METRICS)[number];
export const RETENTION = "retention";

// Bounded so that day arithmetic stays within four-digit years (and a range walk ends).
const Day = z.iso
  .date({ abort: true })
  .refine((d) => d >= "2000-01-01" && d <= "2999-12-31", "must be a day from 2000 to 2999");
/** The longest range one answer covers: a year of days. */
export const MAX_RANGE_DAYS = 366;

export const MetricsQuery = z
  .strictObject({
    from: Day,
    to: Day,
    by: z.enum(METRIC_GROUPS).default("day"),
    metric: z
      .string()
      .optional()
      .transform((s) => (s ? s.split(",") : [...METRICS]))
      .pipe(z.array(z.enum([...METRICS, RETENTION])).min(1)),
    format: z.enum(["json", "csv"]).optional(),
  })
  .superRefine((q, ctx) => {
    // zod runs refinements after non-fatal issues too: a range of invalid days is not also reversed.
    if (![q.from, q.to].every((d) => Day.safeParse(d).success)) return;
    if (q.from > q.to) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
    else if ((dayStart(q.to) - dayStart(q.from)) / DAY_MS >= MAX_RANGE_DAYS) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `must be at most ${MAX_RANGE_DAYS} days after from` });
    }
  })
  .superRefine((q, ctx) => {
    if (q.metric.includes(RETENTION) && (q.metric.length > 1 || q.by !== "day")) {
      ctx.addIssue({ code: "custom", path: ["metric"], message: "retention is asked alone, by day (first-seen week)" });
    }
  });
export type MetricsQuery = z.output<typeof MetricsQuery>;

export type FigureRow = { day: string } & Slice & DayFigures;
/** Served lists played per day and slice (distinct recommendation ids), and how many of them to their end. */
export type ListRow = { day: string } & Slice & { started: number; completed: number };
export type ActiveRow = ListenerDay & Slice;
export type LengthRow = LengthCount & { day: string; region: string };
export type MetricsRow = Record<string, string | number | null>;

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/**
 * The figures of each group (a day, or a slice value over the range) from the rollups. Counts add up
 * across days and slices; session lengths merge as histograms; actives are distinct listeners, so
 * they are counted from listener-days: DAU/WAU/MAU of a day by day, else the mean DAU over the range
 * and the WAU and MAU ending on `to`. Sessions are not credited to a surface, device, variant or
 * model version (a session spans them), so per-session figures are null when grouped by those.
 */
export function metricRows(
  q: Pick<MetricsQuery, "from" | "to" | "by" | "metric">,
  figures: readonly FigureRow[],
  lengths: readonly LengthRow[],
  actives: readonly ActiveRow[],
  lists: readonly ListRow[] = [],
): MetricsRow[] {
  const keyOf = (r: { day: string } & Partial<Slice>) => (q.by === "day" ? r.day : r[q.by]!);
  const inRange = actives.filter((a) => a.day >= q.from && a.day <= q.to);
  const groups = [...new Set([...figures.map(keyOf), ...inRange.map(keyOf), ...lists.map(keyOf)])].sort();
  const sessionsGrouped = q.by === "day" || q.by === "region";
  const days = daysBetween(q.from, q.to);
  return groups.map((key) => {
    const f = figures.filter((r) => keyOf(r) === key);
    const sum = (k: keyof DayFigures) => f.reduce((n, r) => n + r[k], 0);
    const played = lists.filter((r) => keyOf(r) === key);
    const listsStarted = played.reduce((n, r) => n + r.started, 0);
    const listsCompleted = played.reduce((n, r) => n + r.completed, 0);
    const lengthStats = sessionLengths(sessionsGrouped ? lengths.filter((l) => keyOf(l) === key) : []);
    const perSession = (n: number) => (sessionsGrouped ? ratio(n, lengthStats.sessions) : null);
    const groupActives = q.by === "day" ? actives : actives.filter((a) => a[q.by as keyof Slice] === key);
    const at = q.by === "day" ? key : q.to;
    const dau =
      q.by === "day"
        ? activeListeners(groupActives, key, WINDOWS.dau)
        : days.reduce((n, d) => n + activeListeners(groupActives, d, WINDOWS.dau), 0) / days.length;
    const mau = activeListeners(groupActives, at, WINDOWS.mau);
    const all: Record<Metric, number | null> = {
      plays: sum("starts"),
      listeningMs: sum("listeningMs"),
      skipRate: ratio(sum("earlySkips"), sum("starts")),
      completionRate: ratio(sum("completions"), sum("starts")),
      repeatListens: sum("repeats"),
      trackDiscoveries: sum("trackDiscoveries"),
      artistDiscoveries: sum("artistDiscoveries"),
      likes: sum("likes"),
      saves: sum("saves"),
      listsStarted,
      listsCompleted,
      playlistCompletionRate: ratio(listsCompleted, listsStarted),
      sessions: sessionsGrouped ? lengthStats.sessions : null,
      likesPerSession: perSession(sum("likes")),
      savesPerSession: perSession(sum("saves")),
      sessionLengthMeanMs: lengthStats.meanMs,
      sessionLengthMedianMs: lengthStats.medianMs,
      sessionLengthP90Ms: lengthStats.p90Ms,
      dau,
      wau: activeListeners(groupActives, at, WINDOWS.wau),
      mau,
      dauMau: stickiness(dau, mau),
    };
    return { [q.by]: key, ...Object.fromEntries((q.metric as Metric[]).map((m) => [m, all[m]])) };
  });
}

/** Retention of the cohorts first seen in the weeks from `from` to `to`, as known on `to`. */
export function retentionRows(q: Pick<MetricsQuery, "from" | "to">, actives: readonly ListenerDay[]): Cohort[] {
  return cohortRetention(actives, q.to).filter((c) => c.week >= weekOf(q.from) && c.week <= q.to);
}

/** RFC 4180 CSV of rows with the given columns (numbers as they are, empty for null). */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return (
    [columns, ...rows.map((r) => columns.map((c) => r[c]))].map((line) => line.map(cell).join(",")).join("\r\n") +
    "\r\n"
  );
}
