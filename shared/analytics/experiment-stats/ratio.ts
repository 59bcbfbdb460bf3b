import type { Estimate } from "./normal";

/**
 * One listener's contribution to a metric: a numerator and a denominator (skips and starts; session
 * milliseconds and sessions). A mean metric is the ratio with a denominator of 1 for every listener.
 */
export interface Unit {
  y: number;
  x: number;
}

/** A ratio metric over a group of listeners: sum of numerators over sum of denominators. */
export interface RatioEstimate extends Estimate {
  n: number;
  meanX: number;
}

/**
 * The ratio and its variance by the delta method (Deng et al. 2018, "Applying the delta method in
 * metric analytics"): listeners, not plays, are the independent units, so the variance is that of
 * the linearised unit values (y - R x) / mean(x) over n. Null when it cannot be estimated: fewer than
 * two listeners, or no denominator at all.
 */
export function ratioEstimate(units: readonly Unit[]): RatioEstimate | null {
  const n = units.length;
  if (n < 2) return null;
  const meanX = units.reduce((s, u) => s + u.x, 0) / n;
  if (meanX === 0) return null;
  const estimate = units.reduce((s, u) => s + u.y, 0) / n / meanX;
  const variance = sampleVariance(linearised(units, { estimate, meanX })) / n;
  return { n, meanX, estimate, variance };
}

/** Each unit's influence on the ratio (first-order Taylor term); they sum to zero. */
export function linearised(units: readonly Unit[], { estimate, meanX }: Pick<RatioEstimate, "estimate" | "meanX">) {
  return units.map((u) => (u.y - estimate * u.x) / meanX);
}

/** Sample variance of values whose mean is zero by construction (the linearised units). */
export function sampleVariance(centred: readonly number[]): number {
  return centred.reduce((s, v) => s + v * v, 0) / (centred.length - 1);
}
