/**
 * Serving time per variant as a log-bucketed histogram (D1 experiment_latency), so a percentile is read
 * from a few rows whatever the traffic: bucket b holds times up to upperMs(b) = 2^((b+1)/4) ms, a
 * quarter octave wide, so a percentile read from it is within 19% of the exact one.
 */
const PER_OCTAVE = 4;
export const LATENCY_BUCKETS = 80; // up to 2^20 ms; anything slower shares the last bucket

export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(LATENCY_BUCKETS - 1, Math.max(0, Math.ceil(Math.log2(ms) * PER_OCTAVE) - 1));
}

/** The largest time bucket `b` holds, in ms. */
export function bucketUpperMs(bucket: number): number {
  return 2 ** ((bucket + 1) / PER_OCTAVE);
}

/** The `q` quantile (0.99 for p99) of a histogram, as its bucket's upper bound; null for no observations. */
export function histogramQuantile(rows: readonly { bucket: number; count: number }[], q: number): number | null {
  const total = rows.reduce((s, r) => s + r.count, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const row of [...rows].sort((a, b) => a.bucket - b.bucket)) {
    seen += row.count;
    if (seen >= q * total) return bucketUpperMs(row.bucket);
  }
  return bucketUpperMs(rows[rows.length - 1]!.bucket);
}
