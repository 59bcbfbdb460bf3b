import { ALPHA, type Estimate } from "./normal";

/**
 * Always-valid inference: the mixture sequential probability ratio test (mSPRT) of Johari, Pekelis
 * and Walsh ("Always valid inference", 2017; Optimizely's Stats Engine). For an asymptotically normal
 * estimate with variance V and H0: effect = 0, the likelihood ratio mixed over effects ~ N(0, tau^2) is
 *   Lambda = sqrt(V / (V + tau^2)) * exp(tau^2 * estimate^2 / (2 V (V + tau^2))),
 * a martingale under H0, so by Ville's inequality P(Lambda ever reaches 1/alpha) <= alpha: 1/Lambda is
 * a p-value however often, and whenever, the operator looks. tau is the effect size the test is
 * most sensitive to: the experiment's minimum detectable effect.
 */
export function logLikelihoodRatio({ estimate, variance }: Estimate, tau: number): number {
  const t2 = tau * tau;
  return 0.5 * Math.log(variance / (variance + t2)) + (t2 * estimate * estimate) / (2 * variance * (variance + t2));
}

/**
 * The always-valid p-value at this look. (Johari et al. also take the running minimum over earlier
 * looks; each look's own 1/Lambda is valid on its own, and needs no history.)
 */
export function alwaysValidP(e: Estimate, tau: number): number {
  return Math.min(1, Math.exp(-logLikelihoodRatio(e, tau)));
}

/**
 * The confidence sequence: every effect d whose shifted test (estimate - d) is not rejected at alpha.
 * It covers the true effect at all looks at once with probability 1 - alpha.
 */
export function confidenceSequence({ estimate, variance }: Estimate, tau: number, alpha = ALPHA): [number, number] {
  const t2 = tau * tau;
  const half = Math.sqrt(
    ((variance * (variance + t2)) / t2) * (2 * Math.log(1 / alpha) + Math.log((variance + t2) / variance)),
  );
  return [estimate - half, estimate + half];
}
