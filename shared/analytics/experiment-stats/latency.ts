import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { CONFIDENCE } from "./normal";

/** Served answers of one variant by serving time: each bucket's upper bound in ms -> answers in it. */
export type LatencyHistogram = Readonly<Record<number, number>>;

export interface QuantileEstimate {
  requests: number;
  /** The upper bound of the bucket holding the quantile. */
  estimate: number;
  /** Distribution-free: the buckets holding the order statistics that bracket the quantile. */
  interval: [number, number];
}

/**
 * A quantile (0.99 for p99) read from a histogram, with the binomial order-statistic interval: the
 * q-quantile lies between the ranks n q -/+ z sqrt(n q (1 - q)) with the given confidence. Its low end
 * is the lower edge of its bucket and its high end the upper edge, so that the bucket width only
 * widens it. Null for an empty histogram.
 */
export function histogramQuantile(
  histogram: LatencyHistogram,
  q: number,
  confidence = CONFIDENCE,
): QuantileEstimate | null {
  const buckets = Object.entries(histogram)
    .map(([upper, count]) => ({ upper: Number(upper), count }))
    .filter((b) => b.count > 0)
    .sort((a, b) => a.upper - b.upper);
  const requests = buckets.reduce((s, b) => s + b.count, 0);
  if (requests === 0) return null;
  const spread = normalQuantile(1 - (1 - confidence) / 2, 0, 1) * Math.sqrt(requests * q * (1 - q));
  const bucketAt = (rank: number) => {
    const r = Math.min(requests, Math.max(1, rank));
    let seen = 0;
    const i = buckets.findIndex((b) => (seen += b.count) >= r);
    return { lower: i === 0 ? 0 : buckets[i - 1]!.upper, upper: buckets[i]!.upper };
  };
  return {
    requests,
    estimate: bucketAt(Math.ceil(requests * q)).upper,
    interval: [bucketAt(Math.floor(requests * q - spread)).lower, bucketAt(Math.ceil(requests * q + spread)).upper],
  };
}
