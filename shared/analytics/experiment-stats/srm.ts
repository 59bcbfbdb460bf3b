import chiSquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";

/** An experiment whose split is this unlikely under its configured shares is not trusted (the usual bar). */
export const SRM_P = 0.001;

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  p: number;
  flagged: boolean;
}

/**
 * The sample-ratio-mismatch check: Pearson's chi-square goodness of fit of the listeners exposed per
 * variant to the variants' configured shares. A mismatch means assignment or exposure logging is
 * broken (a variant that crashes before serving, a redirect that loses listeners), and then every
 * comparison of the experiment is suspect, whatever it says.
 */
export function sampleRatioMismatch(observed: readonly number[], shares: readonly number[]): SampleRatioCheck {
  const total = observed.reduce((s, n) => s + n, 0);
  const chiSquare = observed.reduce((s, n, i) => s + (n - total * shares[i]!) ** 2 / (total * shares[i]!), 0);
  const degreesOfFreedom = observed.length - 1;
  // The complement of the CDF: a p below about 1e-16 reads as 0, far past any threshold.
  const p = total === 0 ? 1 : 1 - chiSquareCdf(chiSquare, degreesOfFreedom);
  return { chiSquare: total === 0 ? 0 : chiSquare, degreesOfFreedom, p, flagged: p < SRM_P };
}
