import { modelFrom } from "../../../shared/model";
import type { Env } from "../env";
import { publishPart as writePart } from "../publish";
import type { PublishedCatalog } from "../catalog-publish";
import type { StageKept } from "./read-data";
import type { ModelSource } from "./publish-version";
import { loadFinishedTrainer } from "./trainer-store";

/**
 * One part of a version's per-key lists (see publishPart in ../publish.ts), from the finished model read
 * back from R2: a step holds the model and one part's entries, and makes one part's KV writes.
 */
export async function publishPart(
  env: Env,
  version: string,
  source: ModelSource,
  catalog: PublishedCatalog,
  part: number,
): Promise<void> {
  const { trainer, kept } = await loadFinishedTrainer<StageKept>(env.ARTIFACTS, source.trainer);
  const outcome = trainer.outcome();
  await writePart(env, version, kept.index, outcome, modelFrom(outcome), catalog, part);
}
