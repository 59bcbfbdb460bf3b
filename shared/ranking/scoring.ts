import { contextFit } from "../context/fit";
import type { ResolvedContext } from "../context/resolve";
import type { RankingConfig } from "./config";
import type { ScoredCandidate } from "./types";

export function applyContextFit(items: readonly ScoredCandidate[], context: ResolvedContext): ScoredCandidate[] {
  return items.map((item) => ({ ...item, fit: contextFit(item.track.features, context.targets) }));
}

// Keeps ln() finite for tracks nobody has played yet.
const MIN_POPULARITY = 0.001;

/**
 * Log-scale relevance: model, session taste and context fit add up, and the popularity knob
 * divides relevance by popularity^alpha, which in log scale subtracts alpha * ln(popularity).
 */
export function blendScores(
  items: readonly ScoredCandidate[],
  contextStrength: number,
  config: Pick<RankingConfig, "sessionWeight" | "contextWeight" | "popularityPenalty">,
): ScoredCandidate[] {
  return items.map((item) => ({
    ...item,
    score:
      item.model +
      config.sessionWeight * item.taste +
      config.contextWeight * contextStrength * item.fit -
      config.popularityPenalty * Math.log(Math.max(MIN_POPULARITY, item.track.popularity)),
  }));
}
