import type { AudioFeatures } from "../catalog/types";
import { TARGET_FEATURES, type FeatureTargets, type TargetFeature } from "./targets";

// How far outside a range a value can be before it no longer fits at all.
const TOLERANCE: Record<TargetFeature, number> = {
  tempo: 30,
  energy: 0.3,
  valence: 0.3,
  danceability: 0.3,
  acousticness: 0.3,
  instrumentalness: 0.3,
  speechiness: 0.3,
};

/** 0..1: weighted share of the target ranges the track falls in, with partial credit just outside. */
export function contextFit(features: AudioFeatures, targets: FeatureTargets): number {
  let total = 0,
    weights = 0;
  for (const feature of TARGET_FEATURES) {
    const wanted = targets[feature];
    if (!wanted) continue;
    const value = features[feature];
    const outside = value < wanted.min ? wanted.min - value : value > wanted.max ? value - wanted.max : 0;
    total += wanted.weight * Math.max(0, 1 - outside / TOLERANCE[feature]);
    weights += wanted.weight;
  }
  // No targets means no opinion; a constant keeps the ranking unchanged.
  return weights > 0 ? total / weights : 0.5;
}

/**
 * The first range its context weighs fully that the tracks' mean lies outside of, and on which
 * side; null when the list as a whole is what the context is. Those ranges say what the context
 * is (sleep music is calm and acoustic), the lighter ones what is preferred within it.
 */
export function meanOutsideDefiningRanges(
  tracks: readonly AudioFeatures[],
  targets: FeatureTargets,
): { feature: TargetFeature; side: "below" | "above" } | null {
  if (tracks.length === 0) return null;
  for (const feature of TARGET_FEATURES) {
    const wanted = targets[feature];
    if (!wanted || wanted.weight < 1) continue;
    const mean = tracks.reduce((sum, t) => sum + t[feature], 0) / tracks.length;
    if (mean < wanted.min) return { feature, side: "below" };
    if (mean > wanted.max) return { feature, side: "above" };
  }
  return null;
}
