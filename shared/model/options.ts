import type { Blend } from "./blend";

/** Training options; every default was chosen by measurement on Last.fm 2K (see scripts/eval.ts). */
export interface TrainOptions {
  /** Seeds the validation split, the sampling of listeners and the factor initialisation. */
  seed?: number;
  /** ALS latent factors: 32 beat 64 on Last.fm (0.232 vs 0.225 NDCG@10 alone) at a quarter of the cost. */
  factors?: number;
  alsIterations?: number;
  /**
   * ALS iterations when it starts from factors fitted on most of the same evidence (the validation
   * split's, or the holdout twin's): on Last.fm 3 gave the same NDCG@10 as 15 from random (seeds 1 to 3).
   */
  alsRefineIterations?: number;
  regularization?: number;
  /** Confidence = 1 + alpha * log(1 + evidence). */
  confidenceScale?: number;
  /** 300 neighbours beat 200 and 100 on Last.fm; the table costs items x neighbours x 8 bytes (42 MB for 17,632). */
  itemNeighbours?: number;
  listenerNeighbours?: number;
  contentNeighbours?: number;
  /**
   * Bound on the entries of the item-kNN table (8 bytes each), and a third of it on the content table's: a
   * catalogue of more than maxNeighbourEntries / itemNeighbours items keeps fewer neighbours per item, so
   * the tables fit a Worker together.
   */
  maxNeighbourEntries?: number;
  /**
   * The tuner keeps only blends whose validation coverage@10 reaches this share of the catalogue. Held-out
   * coverage came out about 0.01 below it on Last.fm (seeds 1 to 3), so 0.17 keeps the 0.15 target.
   */
  minCoverage?: number;
  /**
   * Bytes of arrays a trainer run through `advance` keeps in memory although its current phase does not
   * need them: at Last.fm's size it never pages to its store, while at 5,000,000 interactions one phase's
   * arrays alone are more, so it holds only those.
   */
  residentBytes?: number;
  /** Listeners sampled for tuning and for measuring exposure; bounds their cost on large data. */
  sampleListeners?: number;
  /** A blend from an earlier run: skips the validation phases (half the training work). */
  blend?: Blend;
  /**
   * The trainer's store already holds ALS factors (`factors.listener`, `factors.item`) of an earlier run on
   * most of the same data, in the same index space: ALS refines them instead of starting from random.
   */
  warmStart?: boolean;
}

export type ResolvedOptions = Required<Omit<TrainOptions, "blend" | "warmStart">> &
  Pick<TrainOptions, "blend" | "warmStart">;

export function resolveOptions(options: TrainOptions = {}): ResolvedOptions {
  return {
    seed: 1,
    factors: 32,
    alsIterations: 15,
    alsRefineIterations: 3,
    regularization: 10,
    confidenceScale: 2,
    itemNeighbours: 300,
    listenerNeighbours: 100,
    contentNeighbours: 100,
    maxNeighbourEntries: 6_000_000,
    minCoverage: 0.17,
    sampleListeners: 2000,
    residentBytes: 40 * 1024 * 1024,
    ...options,
  };
}
