/**
 * Setlist's recommendation model: pure TypeScript, deterministic for a seed, sized for a Worker (sparse
 * neighbour tables and small factor matrices, no item x item dense matrix).
 *
 * Components, blended with weights the training code tunes itself on a validation split of the training data:
 * - als: implicit ALS (conjugate gradient) on log-scaled signed confidences;
 * - itemKnn: item neighbours by asymmetric cosine over listener rows, damped for popular targets;
 * - listenerKnn: listeners like this one, computed on demand;
 * - content: neighbours by tag tf-idf / standardised audio features, the only signal for a new item;
 * and an exposure damping that keeps a few hits from filling every list (tuned under a coverage floor).
 *
 * API:
 * - trainModel(data, options?) -> TrainedModel { recommend(listener, k), similarItems(item, k),
 *   recommendFromSeeds(seedItems, k), contentSimilarity(a, b), blend, blendWeights }
 * - new Trainer(data, options?, state?) with step() -> TrainingProgress, or advance(store, steps) which keeps
 *   in memory only what each step needs and the rest in a TrainerStore; state() resumes it elsewhere;
 *   outcome(); modelFrom(trainer.outcome()) -> TrainedModel. For training across invocations;
 *   storeWarmStart(store, factors) lets a new trainer refine an earlier run's ALS factors.
 * - evidenceWeight(counts) -> signed interaction weight from event counts (plays, completes, skips, likes,
 *   dislikes, repeats, adds); raw play counts can be used as weights directly.
 * - holdoutSplit(data, { seed }) / evaluate(recommender, split) / popularityRecommender(data): the offline
 *   protocol (20% of each listener's items held out; Recall, NDCG, HitRate, coverage, popularity, diversity,
 *   long tail at 10), plus the metric functions themselves. stableHoldoutSplit(data, { key }) holds out
 *   pairs by a keyed hash instead, and evaluateListeners gives each listener's figures, so that versions
 *   trained on nearly the same data can be compared listener by listener; evaluateRange cuts an evaluation
 *   into ranges of listeners that add up to the same figures.
 */
export type { Interaction, InteractionColumns, ItemContent, Scored, TrainingData } from "./types";
export { evidenceWeight, type EventCounts } from "./evidence";
export { interactionCount } from "./interactions";
export { trainModel, modelFrom, type TrainedModel } from "./model";
export {
  Trainer,
  storeWarmStart,
  type StateArray,
  type TrainerSnapshot,
  type TrainerState,
  type TrainerStore,
  type TrainingProgress,
  type TrainingOutcome,
} from "./trainer";
export type { TrainOptions } from "./options";
export { COMPONENTS, type Blend, type Component } from "./blend";
export {
  holdoutSplit,
  stableHoldoutSplit,
  type HoldoutSplit,
  type HoldoutOptions,
  type StableHoldoutOptions,
} from "./split";
export {
  evaluate,
  evaluateListeners,
  evaluateRange,
  evaluationReport,
  EVALUATION_START,
  cooccurrenceCosine,
  type EvaluationProgress,
  type EvaluationReport,
  type ListenerScore,
  type Recommender,
  type ItemSimilarity,
} from "./evaluation";
export { popularityRecommender } from "./popularity";
export * from "./metrics";
