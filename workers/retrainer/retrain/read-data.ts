import { stableHoldoutSplit, Trainer, type Blend } from "../../../shared/model";
import { yieldToRuntime } from "../../../shared/util/sliced";
import type { Env } from "../env";
import { loadTrainingSet, type ModelIndex } from "../training-data";
import { forgetFinishedTrainer, r2TrainerStore, saveTrainer, storeHeldOut, trainerPrefix } from "./trainer-store";

/** Every version trains with the same seed, so a retrain of the same data is the same model. */
export const TRAINING_SEED = 1;
/**
 * Names the holdout split (stableHoldoutSplit): every version holds out the same pairs under it, which is what
 * lets the promotion gate pair a candidate's listeners with the live version's. A new key starts a new split.
 */
export const HOLDOUT_KEY = "setlist-holdout-1";

/** First the holdout twin that judges the version, then the model trained on everything. */
export type Stage = "holdout" | "full";

/** What a retrain's trainer keeps beside its state: the ids its indices stand for, fixed when it began. */
export interface StageKept {
  index: ModelIndex;
}

export const stagePrefix = (version: string, stage: Stage) => trainerPrefix(version, `trainer-${stage}`);
/** The holdout twin's index, from which the full model starts (see evaluate.ts). */
export const warmIndexKey = (version: string) => `${stagePrefix(version, "full")}warm-index.json`;

/**
 * Reads the training data from D1 (page by page, see loadTrainingSet) and starts a stage's trainer: its
 * first step (preparing the matrices from the data) runs here, since only this step holds the data; from
 * then on the trainer's arrays in R2 are all a slice reads. The holdout twin trains on a split and keeps its
 * held-out items for judging it; the full model starts in the twin's index, from its factors and blend.
 */
export async function readTrainingData(env: Env, version: string, stage: Stage, blend?: Blend): Promise<string> {
  // The data and its first trainer step need the memory the twin, kept from the step before, would hold.
  forgetFinishedTrainer();
  const prefix = stagePrefix(version, stage);
  const warm = stage === "full" ? await env.ARTIFACTS.get(warmIndexKey(version)) : null;
  const warmIndex = warm ? await warm.json<ModelIndex>() : undefined;
  const set = await loadTrainingSet(env.DB, warmIndex);
  const split = stage === "holdout" ? stableHoldoutSplit(set, { key: HOLDOUT_KEY }) : undefined;
  const store = r2TrainerStore(env.ARTIFACTS, prefix);
  if (split) await storeHeldOut(store, split.heldOut);
  const options = { seed: TRAINING_SEED, blend, warmStart: warmIndex !== undefined };
  const trainer = new Trainer(split?.train ?? set, options);
  await trainer.advance(store, 1, yieldToRuntime);
  const kept: StageKept = { index: { listeners: set.listeners, items: set.items } };
  await saveTrainer(env.ARTIFACTS, prefix, trainer, { seed: TRAINING_SEED, blend }, kept);
  return prefix;
}
