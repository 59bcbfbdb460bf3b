/** Closed sessions (the session object's: ended by 30 idle minutes) as counts of each exact length. */
export interface LengthCount {
  lengthMs: number;
  sessions: number;
}

export interface SessionLengths {
  sessions: number;
  meanMs: number | null;
  medianMs: number | null;
  p90Ms: number | null;
}

/** The nearest-rank percentile: the smallest length at least `p` of the sessions are no longer than. */
function percentile(sorted: readonly LengthCount[], total: number, p: number): number {
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const { lengthMs, sessions } of sorted) {
    seen += sessions;
    if (seen >= rank) return lengthMs;
  }
  return sorted.at(-1)!.lengthMs;
}

/** Mean, median and p90 of session length, exact from a histogram (histograms of days merge by adding). */
export function sessionLengths(histogram: readonly LengthCount[]): SessionLengths {
  const total = histogram.reduce((n, h) => n + h.sessions, 0);
  if (total === 0) return { sessions: 0, meanMs: null, medianMs: null, p90Ms: null };
  const sorted = [...histogram].sort((a, b) => a.lengthMs - b.lengthMs);
  const sum = histogram.reduce((n, h) => n + h.lengthMs * h.sessions, 0);
  return {
    sessions: total,
    meanMs: sum / total,
    medianMs: percentile(sorted, total, 0.5),
    p90Ms: percentile(sorted, total, 0.9),
  };
}
