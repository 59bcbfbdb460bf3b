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
