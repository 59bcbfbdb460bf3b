import { COMPONENTS, exposureFactors, type Blend, type Component } from "./blend";
import { cosine } from "./content";
import type { Profile } from "./listenerKnn";
import { neighboursOf } from "./neighbours";
import type { TrainOptions } from "./options";
import { TopKHeap } from "./topK";
import { Trainer, type TrainingOutcome } from "./trainer";
import type { Scored, TrainingData } from "./types";
import { ComponentScores } from "./scoring";

export interface TrainedModel {
  /** Top k items for a training listener, best first, excluding every item the listener already met. */
  recommend(listener: number, k: number): Scored[];
  /** Items like this one; for an item nobody played yet, its content neighbours. */
  similarItems(item: number, k: number): Scored[];
  /** Top k for a new listener known only by a few seed items (onboarding); the seeds are excluded. */
  recommendFromSeeds(seedItems: readonly number[], k: number): Scored[];
  /** Content cosine of two items (0 when either has no content). */
  contentSimilarity(a: number, b: number): number;
  /** The blend as tuned on the validation split (or as given). */
  readonly blend: Blend;
  readonly blendWeights: Record<Component | "exposurePenalty", number>;
}

/** Trains in one go; see Trainer for the step-wise form used across worker invocations. */
export function trainModel(data: TrainingData, options?: TrainOptions): TrainedModel {
  const trainer = new Trainer(data, options);
  while (!trainer.step().finished);
  return modelFrom(trainer.outcome());
}

export function modelFrom(outcome: TrainingOutcome): TrainedModel {
  const { parts, blend, rows, contentVectors, options } = outcome;
  const itemCount = rows.signed.cols;
  const damping = exposureFactors(outcome.exposure, blend.exposurePenalty);
  const weights = COMPONENTS.map((name) => blend.weights[name]);
  const componentScores = new ComponentScores(itemCount);
  const excluded = new Uint8Array(itemCount);
  // Dense scratch for mixing neighbour lists, cleared after each use: cheaper than a map per call.
  const mixed = { scores: new Float64Array(itemCount), touched: new Uint8Array(itemCount) };

  const rank = (profile: Profile, self: number | undefined, k: number) => {
    componentScores.score(parts, options, profile, self, excluded);
    const heap = new TopKHeap(k);
    componentScores.pushBlended(weights, excluded, damping, heap);
    return heap.drain();
  };

  return {
    recommend(listener, k) {
      rows.markSeen(listener, excluded, 1);
      const ranked = rank(rows.profileOf(listener), listener, k);
      rows.markSeen(listener, excluded, 0);
      return ranked;
    },

    recommendFromSeeds(seedItems, k) {
      const items = [...new Set(seedItems)].filter((i) => i >= 0 && i < itemCount);
      for (const i of items) excluded[i] = 1;
      const ranked = rank({ items, weights: items.map(() => 1) }, undefined, k);
      for (const i of items) excluded[i] = 0;
      return ranked;
    },

    similarItems(item, k) {
      // Neighbour tables only: fast enough to publish for every item, mixed in the blend's proportions.
      // A blend that dropped item-kNN from listener scores keeps it here at unit weight: item-to-item has
      // no other collaborative signal. Without collaborative neighbours (an item nobody played yet)
      // content is all there is, whatever weight the blend gave it.
      const collaborative = neighboursOf(parts.itemKnn, item);
      const content = neighboursOf(parts.content, item);
      const contentWeight = collaborative.length === 0 ? 1 : blend.weights.content;
      const touched: number[] = [];
      for (const [list, weight] of [
        [collaborative, blend.weights.itemKnn || 1],
        [content, contentWeight],
      ] as const) {
        const max = list[0]?.score ?? 0;
        if (max > 0 && weight > 0)
          for (const n of list) {
            if (mixed.touched[n.item] === 0) touched.push(n.item);
            mixed.touched[n.item] = 1;
            mixed.scores[n.item]! += (weight * n.score) / max;
          }
      }
      const heap = new TopKHeap(k);
      for (const i of touched) {
        heap.push(i, mixed.scores[i]!);
        mixed.scores[i] = 0;
        mixed.touched[i] = 0;
      }
      return heap.drain();
    },

    contentSimilarity: (a, b) => cosine(contentVectors, a, b),
    blend,
    blendWeights: { ...blend.weights, exposurePenalty: blend.exposurePenalty },
  };
}
