import { eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { experiments, holdoutScores, modelVersions } from "../../../shared/db/schema";
import type { ExperimentInput } from "../../../shared/experiments/definition";
import { artifactKey } from "../../../shared/publish/artifacts";
import { versionsToKeep, versionsToPrune, type KeptVersions } from "../../../shared/publish/retention";
import type { Env } from "../env";
import { pruneHoldoutScores } from "../holdout-scores";
import { currentPointer, previousVersion } from "../versions";
import { deleteUnder, runPrefix } from "./trainer-store";

/**
 * KV keys a pruning step deletes: with the one list that finds them, its operations stay inside the 1,000
 * an invocation may make.
 */
export const KEYS_PER_PRUNING_STEP = 900;

/** What retention keeps (shared/publish/retention.ts): live, previous, experiment variants and the newest N. */
async function keptVersions(env: Env): Promise<KeptVersions> {
  const [live, previous, variants] = await Promise.all([
    currentPointer(env),
    previousVersion(env),
    drizzle(env.DB)
      .select({ definition: experiments.definition })
      .from(experiments)
      .where(inArray(experiments.status, ["running", "paused"])),
  ]);
  const pinned = variants.flatMap((e) =>
    (e.definition as ExperimentInput).variants.flatMap((v) => (v.modelVersion ? [v.modelVersion] : [])),
  );
  return { live: live?.version, previous, pinned, recent: Number(env.MODEL_VERSIONS_KEPT) };
}

/**
 * The versions whose artefacts go, oldest first. Per-listener holdout figures are kept only for the versions
 * kept, which are all a later gate or an operator may compare with.
 */
export async function planPruning(env: Env): Promise<string[]> {
  const versions = await drizzle(env.DB)
    .select({ version: modelVersions.version, status: modelVersions.status, createdAt: modelVersions.createdAt })
    .from(modelVersions);
  const keep = await keptVersions(env);
  await pruneHoldoutScores(env.DB, [...versionsToKeep(versions, keep)]);
  return versionsToPrune(versions, keep);
}

/**
 * One bounded step of pruning `version`: a page of its KV keys (artifactKey.versionPrefix) deleted. Answers
 * the cursor of the next page, or null once its keys are all gone.
 */
export async function pruneVersionKeys(env: Env, version: string, cursor: string | null): Promise<string | null> {
  const page = await env.MODELS.list({
    prefix: artifactKey.versionPrefix(version),
    limit: KEYS_PER_PRUNING_STEP,
    ...(cursor ? { cursor } : {}),
  });
  await Promise.all(page.keys.map((k) => env.MODELS.delete(k.name)));
  return page.list_complete ? null : page.cursor;
}

/**
 * The last step of pruning `version`, once its KV keys are gone: its R2 objects (a page of up to 1,000 keys
 * in one delete), its holdout figures, and the row marked `pruned`. Marked last: until then an erasure still
 * deletes the listener's entry in it, so no listener's list outlives an erasure in a half-pruned version.
 */
export async function finishPruning(env: Env, version: string): Promise<void> {
  await deleteUnder(env.ARTIFACTS, artifactKey.versionPrefix(version));
  await deleteUnder(env.ARTIFACTS, runPrefix(version));
  const d = drizzle(env.DB);
  await d.delete(holdoutScores).where(eq(holdoutScores.version, version));
  await d.update(modelVersions).set({ status: "pruned" }).where(eq(modelVersions.version, version));
}
