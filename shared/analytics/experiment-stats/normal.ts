import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";

/** The confidence of every interval the analysis reports, and the significance level of its tests. */
export const CONFIDENCE = 0.95;
export const ALPHA = 1 - CONFIDENCE;

/** An estimate and the variance of its sampling distribution (asymptotically normal). */
export interface Estimate {
  estimate: number;
  variance: number;
}

/** The fixed-horizon two-sided interval of a normal estimate: valid for one look at the data only. */
export function normalInterval({ estimate, variance }: Estimate, confidence = CONFIDENCE): [number, number] {
  const half = normalQuantile(1 - (1 - confidence) / 2, 0, 1) * Math.sqrt(variance);
  return [estimate - half, estimate + half];
}
