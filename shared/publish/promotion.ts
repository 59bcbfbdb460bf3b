/** The offline figures a version is judged by, measured on a holdout of its own training data. */
export interface HoldoutMetrics {
  listeners: number;
  ndcg: number;
  recall: number;
  coverage: number;
}

/**
 * Holdouts of two versions differ in their data and random split, so small drops are noise;
 * only a drop beyond this share of the live version's figure keeps a new version out.
 */
export const PROMOTION_TOLERANCE = 0.1;

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

export function promotionDecision(
  candidate: HoldoutMetrics,
  live: HoldoutMetrics | null,
  tolerance = PROMOTION_TOLERANCE,
): PromotionDecision {
  if (!live) return { promote: true, reason: "no live version to compare with" };
  const worse = (["ndcg", "recall"] as const).filter((m) => candidate[m] < live[m] * (1 - tolerance));
  if (worse.length === 0) return { promote: true, reason: "not worse than the live version on the holdout" };
  const detail = worse.map((m) => `${m} ${candidate[m].toFixed(4)} < ${live[m].toFixed(4)}`).join(", ");
  return { promote: false, reason: `worse than the live version on the holdout: ${detail}` };
}
