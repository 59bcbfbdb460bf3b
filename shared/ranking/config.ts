import { DEFAULT_TASTE_HALF_LIFE_MS } from "../session/state";
import type { CandidateSource } from "./types";

export interface RankingConfig {
  /** Scales each source's normalised scores, so a chart filler never outranks a strong model pick. */
  sourceWeights: Record<CandidateSource, number>;
  sessionWeight: number;
  contextWeight: number;
  tasteHalfLifeMs: number;
  /** Only the strongest session weights are compared with every candidate, to bound the cost. */
  tasteSignalLimit: number;
  /** Raw session taste is squashed with tanh(raw / tasteScale) into -1..1. */
  tasteScale: number;
  /** A session track must contribute this much taste before it is named as the reason. */
  tasteReasonThreshold: number;
  /** MMR trade-off: 1 ranks by relevance only, 0 by novelty against what is already picked. */
  diversityLambda: number;
  maxPerArtist: number;
  artistCapWindow: number;
  /** alpha in relevance / popularity^alpha; higher pushes the most popular tracks down. */
  popularityPenalty: number;
  explorationShare: number; // 0..0.5
  /**
   * Pool tracks more similar than this to the listener's neighbourhood are not exploration. Just
   * above the genre share of similarity, so a familiar genre can still surprise if it sounds different.
   */
  explorationMaxSimilarity: number;
  explorationAnchorCount: number;
  newReleaseDays: number;
  newReleaseBoost: number;
  contextReasonFit: number;
}

export const DEFAULT_RANKING_CONFIG: RankingConfig = {
  sourceWeights: { model: 1, similar: 0.9, context: 0.8, chart: 0.7, fallback: 0.5 },
  sessionWeight: 0.8,
  contextWeight: 0.6,
  tasteHalfLifeMs: DEFAULT_TASTE_HALF_LIFE_MS,
  tasteSignalLimit: 12,
  tasteScale: 1.5,
  tasteReasonThreshold: 0.3,
  diversityLambda: 0.7,
  maxPerArtist: 2,
  artistCapWindow: 10,
  popularityPenalty: 0.05,
  explorationShare: 0.1,
  explorationMaxSimilarity: 0.4,
  explorationAnchorCount: 20,
  newReleaseDays: 30,
  newReleaseBoost: 2,
  contextReasonFit: 0.75,
};

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function resolveConfig(overrides: Partial<RankingConfig> = {}): RankingConfig {
  const config = { ...DEFAULT_RANKING_CONFIG, ...overrides };
  return {
    ...config,
    diversityLambda: clamp(config.diversityLambda, 0, 1),
    // Above half, "exploration" would be the main list rather than a share of it.
    explorationShare: clamp(config.explorationShare, 0, 0.5),
    maxPerArtist: Math.max(1, Math.floor(config.maxPerArtist)),
    tasteHalfLifeMs: Math.max(1, config.tasteHalfLifeMs),
    tasteScale: Math.max(Number.EPSILON, config.tasteScale),
  };
}

export function clampCount(n: number): number {
  return Number.isFinite(n) ? clamp(Math.floor(n), 1, 100) : 1;
}
