import { readyVersion } from "../publish";
import type { PublishedCatalog } from "../catalog-publish";
import type { Env } from "../env";
import type { StageKept } from "./read-data";
import { loadFinishedTrainer } from "./trainer-store";

/**
 * Where a finished model is read from: a retrain's full trainer, or one trained elsewhere and left in R2 in
 * the same layout (RetrainParams.trained).
 */
export interface ModelSource {
  /** The R2 prefix of a finished trainer saved by saveTrainer, its `kept` holding the model's index. */
  trainer: string;
}

/** Writes the version's catalog snapshot and charts from its finished model; answers how many parts follow. */
export async function publishVersion(
  env: Env,
  version: string,
  source: ModelSource,
  catalog: PublishedCatalog,
  now = Date.now(),
) {
  const { trainer, kept } = await loadFinishedTrainer<StageKept>(env.ARTIFACTS, source.trainer);
  return readyVersion(env, version, kept.index, trainer.outcome(), catalog, now);
}
