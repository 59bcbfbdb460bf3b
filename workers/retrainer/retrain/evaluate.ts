import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../../shared/db/schema";
import {
  cooccurrenceCosine,
  EVALUATION_START,
  evaluateRange,
  evaluationReport,
  modelFrom,
  storeWarmStart,
  type Blend,
  type EvaluationProgress,
  type HoldoutSplit,
  type ListenerScore,
} from "../../../shared/model";
import type { Env } from "../env";
import { storeHoldoutScores } from "../holdout-scores";
import type { VersionMetrics } from "../versions";
import { stagePrefix, warmIndexKey, type StageKept } from "./read-data";
import { evidenceMatrix } from "../../../shared/model/interactions";
import { yieldToRuntime } from "../../../shared/util/sliced";
import { loadFinishedTrainer, loadHeldOut, r2TrainerStore } from "./trainer-store";

/** Listeners ranked between two moments the step hands the runtime back (a few ms at Last.fm's size). */
const LISTENERS_BETWEEN_YIELDS = 5;

/** Where the twin's evaluation stands between its steps, beside the twin (deleted with the run). */
const progressKey = (version: string) => `${stagePrefix(version, "holdout")}evaluation.json`;

/**
 * Listeners evaluated per step for `sliceWork` (TRAINING_SLICE_WORK, in the trainer's units of about a
 * microsecond): ranking one listener scores every item, about items / 20 units (1,877 listeners of Last.fm's
 * 17,632 items took 1.7 s in Node).
 */
export function listenersPerEvaluationStep(items: number, sliceWork: number): number {
  return Math.max(1, Math.floor((sliceWork * 20) / Math.max(items, 1)));
}

/** The finished twin, as a recommender, and the split it is judged on. */
async function loadTwin(env: Env, version: string) {
  const { trainer, kept, store } = await loadFinishedTrainer<StageKept>(env.ARTIFACTS, stagePrefix(version, "holdout"));
  const outcome = trainer.outcome();
  // The matrix the twin trained on stands for its training data: what evaluation reads of it is the same.
  const split: HoldoutSplit = {
    train: { ...kept.index, interactions: outcome.rows.signed },
    heldOut: await loadHeldOut(store),
  };
  return { outcome, model: modelFrom(outcome), kept, split };
}

async function loadProgress(env: Env, version: string): Promise<EvaluationProgress> {
  const saved = await env.ARTIFACTS.get(progressKey(version));
  return saved ? await saved.json<EvaluationProgress>() : EVALUATION_START;
}

/**
 * One step of judging the holdout twin on its held-out items: the next range of listeners, carried on from
 * the running sums in R2, each listener's figures kept for the promotion gate (gate.ts), the runtime handed
 * back every LISTENERS_BETWEEN_YIELDS listeners. Its scores are kept
 * before the sums move on, so a step retried after dying half-way redoes its range. Answers whether every
 * listener has been evaluated.
 */
export async function evaluateHoldoutSlice(env: Env, version: string, sliceWork: number): Promise<boolean> {
  const { model, kept, split } = await loadTwin(env, version);
  const progress = await loadProgress(env, version);
  // Bounded by the listeners there are: with a small catalog a step's share is far more, and each range pauses.
  const to = Math.min(
    split.heldOut.length,
    progress.next + listenersPerEvaluationStep(kept.index.items.length, sliceWork),
  );
  // What evaluateRange would build for each range (the diversity measure transposes the training matrix), once.
  const similarity = cooccurrenceCosine(evidenceMatrix(split.train));
  let evaluated = { progress, listeners: [] as ListenerScore[] };
  for (let from = progress.next; from < to; from += LISTENERS_BETWEEN_YIELDS) {
    await yieldToRuntime();
    const range = evaluateRange(model, split, evaluated.progress, Math.min(to, from + LISTENERS_BETWEEN_YIELDS), {
      similarity,
    });
    evaluated = { progress: range.progress, listeners: [...evaluated.listeners, ...range.listeners] };
  }
  await storeHoldoutScores(env.DB, version, kept.index.listeners, evaluated.listeners);
  await env.ARTIFACTS.put(progressKey(version), JSON.stringify(evaluated.progress));
  return evaluated.progress.next >= split.heldOut.length;
}

/**
 * The twin's figures once every listener is evaluated, and what carries over to the full model: the tuned
 * blend (tuning is half of training; on 80% of the same data it carries over), the index and the ALS factors
 * to refine.
 */
export async function recordHoldoutTwin(env: Env, version: string): Promise<Blend> {
  const { outcome, model, kept, split } = await loadTwin(env, version);
  const report = evaluationReport(await loadProgress(env, version), split);
  const metrics: VersionMetrics = { holdout: report, blendWeights: model.blendWeights };
  await drizzle(env.DB).update(modelVersions).set({ metrics }).where(eq(modelVersions.version, version));
  await storeWarmStart(r2TrainerStore(env.ARTIFACTS, stagePrefix(version, "full")), outcome.parts.factors);
  await env.ARTIFACTS.put(warmIndexKey(version), JSON.stringify(kept.index));
  return model.blend;
}
