import { contextFit } from "../context/fit";
import type { ResolvedContext } from "../context/resolve";
import type { RankingConfig } from "./config";
import { STATED_CONTEXT_MIN_FIT } from "./context-retrieval";
import type { ScoredCandidate } from "./types";

export function applyContextFit(items: readonly ScoredCandidate[], context: ResolvedContext): ScoredCandidate[] {
  return items.map((item) => ({ ...item, fit: contextFit(item.track.features, context.targets) }));
}

/** Candidates kept per slot whatever their fit, so diversity still has enough to choose from. */
export const CANDIDATES_PER_SLOT = 3;

/**
 * A stated activity decides what is considered, not only how it is ordered: a sleep list drawn from
 * a listener's loudest favourites is not a sleep list however it is re-ranked. So with an activity,
 * only candidates that suit it go on, as long as enough suit it to fill and diversify the list; when
 * too few do, the best-fitting ones. A context guessed from the clock only re-ranks.
 */
export function keepFitting(items: readonly ScoredCandidate[], n: number, context: ResolvedContext): ScoredCandidate[] {
  if (context.source !== "activity") return [...items];
  const enough = n * CANDIDATES_PER_SLOT;
  const fitting = items.filter((item) => item.fit >= STATED_CONTEXT_MIN_FIT);
  if (fitting.length >= enough) return fitting;
  return [...items].sort((a, b) => b.fit - a.fit || b.model - a.model).slice(0, enough);
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
