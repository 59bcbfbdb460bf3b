import { resolveContext } from "../context/resolve";
import { seededRandom } from "../util/random";
import { currentActivity, playedThisSession, readTaste, recentlyLiked } from "../session/read";
import { createSession } from "../session/state";
import { prepareCandidates } from "./candidates";
import { clampCount, resolveConfig, type RankingConfig } from "./config";
import { diversify } from "./diversity";
import {
  explorationCandidates,
  explorationSlots,
  interleave,
  sampleExploration,
  unlikeNeighbourhood,
} from "./exploration";
import { removeExcluded, type Exclusions } from "./filters";
import { chooseReason } from "./reasons";
import { contextCandidates } from "./context-retrieval";
import { applyContextFit, blendScores, CANDIDATES_PER_SLOT, keepFitting } from "./scoring";
import { applySessionTaste, tasteSignals } from "./taste";
import type { RankedItem, RankingInput } from "./types";

/**
 * The request-time ranking every personal route uses: model candidates, minus what was played or
 * disliked, re-scored by session taste and context, diversified, with a share of exploration
 * slots, each item with one reason. Pure and deterministic for a given input and seed.
 */
export function rankRecommendations(input: RankingInput, overrides: Partial<RankingConfig> = {}): RankedItem[] {
  const config = resolveConfig(overrides);
  const n = clampCount(input.n);
  const { now } = input;
  const session = input.session ?? createSession();
  const random = seededRandom(input.seed);

  const exclusions: Exclusions = {
    trackIds: new Set([...playedThisSession(session, now), ...session.dislikes.tracks]),
    artistIds: new Set(session.dislikes.artists),
  };
  const activity = input.context?.activity ?? currentActivity(session, now);
  const context = resolveContext({ ...input.context, activity }, now);
  const taste = readTaste(session, now, config.tasteHalfLifeMs);
  const signals = tasteSignals(taste, input.tracks, input.neighbours, config.tasteSignalLimit);

  // A stated activity also retrieves: tracks for the moment that sound like the listener's own.
  const candidates =
    activity && input.activityPool
      ? [
          ...input.candidates,
          ...contextCandidates(input.activityPool(activity), input.candidates, input.tracks, n * CANDIDATES_PER_SLOT),
        ]
      : input.candidates;
  let items = prepareCandidates(candidates, input.tracks, config.sourceWeights);
  items = removeExcluded(items, exclusions);
  items = applySessionTaste(items, taste, signals, config);
  items = keepFitting(applyContextFit(items, context), n, context);
  items = blendScores(items, context.strength, config);
  const ranked = diversify(items, n, config);

  const top = ranked.slice(0, config.explorationAnchorCount);
  const neighbourhood = {
    trackIds: new Set([...(input.heardTrackIds ?? []), ...items.map((item) => item.track.id)]),
    artistIds: new Set(top.map((item) => item.track.artistId)),
    vectors: [
      ...top.map((item) => item.vector),
      ...signals.filter((s) => s.weight > 0 && s.vector).map((s) => s.vector!),
    ],
  };
  const pool = applyContextFit(explorationCandidates(input.explorationPool ?? [], neighbourhood, exclusions), context);
  const unlike = unlikeNeighbourhood(neighbourhood, config.explorationMaxSimilarity);
  const exploration = blendScores(
    sampleExploration(pool, explorationSlots(n, config.explorationShare), now, config, random, unlike),
    context.strength,
    config,
  );

  const reasonInputs = { tracks: input.tracks, liked: recentlyLiked(session), context, region: input.region, now };
  return interleave(ranked, exploration, n, random).map((item) => ({
    trackId: item.track.id,
    score: item.score,
    reason: chooseReason(item, reasonInputs, config),
    exploration: item.source === "exploration",
  }));
}

export { DEFAULT_RANKING_CONFIG, resolveConfig, type RankingConfig } from "./config";
export { activityPool, type ActivityPool } from "./context-retrieval";
export { explorationSeed } from "./exploration";
export type {
  Candidate,
  CandidateSource,
  Neighbours,
  RankedItem,
  RankingInput,
  Reason,
  ReasonCode,
  TrackInfo,
} from "./types";
