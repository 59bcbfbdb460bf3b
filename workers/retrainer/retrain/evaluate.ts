import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../../shared/db/schema";
import { evaluateListeners, modelFrom, storeWarmStart, type Blend } from "../../../shared/model";
import type { Env } from "../env";
import { storeHoldoutScores } from "../holdout-scores";
import type { VersionMetrics } from "../versions";
import { stagePrefix, warmIndexKey, type StageKept } from "./read-data";
import { loadFinishedTrainer, loadHeldOut, r2TrainerStore } from "./trainer-store";

/**
 * Judges the holdout twin on its held-out items, keeping each evaluated listener's figures for the promotion
 * gate (gate.ts), and hands the full model what carries over: the tuned blend (tuning is half of training;
 * on 80% of the same data it carries over), the index and the ALS factors to refine.
 */
export async function evaluateHoldoutTwin(env: Env, version: string): Promise<Blend> {
  const { trainer, kept, store } = await loadFinishedTrainer<StageKept>(env.ARTIFACTS, stagePrefix(version, "holdout"));
  const outcome = trainer.outcome();
  const model = modelFrom(outcome);
  // The matrix the twin trained on stands for its training data: what evaluation reads of it is the same.
  const train = { ...kept.index, interactions: outcome.rows.signed };
  const evaluation = evaluateListeners(model, { train, heldOut: await loadHeldOut(store) });
  await storeHoldoutScores(env.DB, version, kept.index.listeners, evaluation.listeners);
  const metrics: VersionMetrics = { holdout: evaluation.report, blendWeights: model.blendWeights };
  await drizzle(env.DB).update(modelVersions).set({ metrics }).where(eq(modelVersions.version, version));
  await storeWarmStart(r2TrainerStore(env.ARTIFACTS, stagePrefix(version, "full")), outcome.parts.factors);
  await env.ARTIFACTS.put(warmIndexKey(version), JSON.stringify(kept.index));
  return model.blend;
}
