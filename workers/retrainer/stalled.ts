import { and, eq, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../shared/db/schema";
import type { Env } from "./env";
import { stageKey, warmIndexKey } from "./publish";
import { queueDiscard } from "./trainer-state";
import { discardTrainedModel } from "./trained-model";

/**
 * A retrain is a chain of queue jobs, each queueing the next (publish.ts). A chain can be lost: locally
 * the jobs queue lives in memory, so a kill of the runtime loses it; in production a job that exhausts
 * its retries goes to the dead-letter queue. Its version would then stay `building` for ever. So each
 * job records its progress on the version row as it begins, and a sweep marks `failed`, with the
 * reason, a version that has made none for longer than any job may take. The sweep runs before each
 * scheduled retrain, and at `npm start` (scripts/start.ts), where every version still building lost
 * its jobs with the previous runtime. Retraining again starts from D1, so nothing is resumed.
 */

/**
 * A job may run 15 minutes (a queue consumer's wall time) on each of its 4 attempts, and wait its turn
 * behind other versions' jobs (one job runs at a time): two hours leaves room for all of it.
 */
export const STALLED_AFTER_MS = 2 * 3600_000;

/**
 * Records that a job of `version` began. False when the version is no longer building (failed by the
 * sweep, or finished): a late job of a chain given up for lost stops there.
 */
export async function recordProgress(env: Env, version: string, now = Date.now()): Promise<boolean> {
  const updated = await drizzle(env.DB)
    .update(modelVersions)
    .set({ progressAt: now })
    .where(and(eq(modelVersions.version, version), eq(modelVersions.status, "building")))
    .returning({ version: modelVersions.version });
  return updated.length > 0;
}

/** Marks failed every version still building with no progress since `stalledBefore`, and lets its trainers go. */
export async function failStalledVersions(
  env: Env,
  stalledBefore: number,
): Promise<{ version: string; failure: string }[]> {
  const d = drizzle(env.DB);
  const lastProgress = sql<number>`coalesce(${modelVersions.progressAt}, ${modelVersions.createdAt})`;
  const stalled = await d
    .select({ version: modelVersions.version, lastProgress })
    .from(modelVersions)
    .where(and(eq(modelVersions.status, "building"), lt(lastProgress, stalledBefore)));
  const failed: { version: string; failure: string }[] = [];
  for (const { version, lastProgress: at } of stalled) {
    const failure =
      `its job chain was lost: no job began after ${new Date(at).toISOString()} ` +
      `(a restart of the runtime, or a job out of retries: see GET /admin/dlq). Retrain with POST /admin/retrain.`;
    // Still building: a job that began meanwhile keeps its version.
    const [row] = await d
      .update(modelVersions)
      .set({ status: "failed", failure })
      .where(
        and(eq(modelVersions.version, version), eq(modelVersions.status, "building"), lt(lastProgress, stalledBefore)),
      )
      .returning({ version: modelVersions.version });
    if (!row) continue;
    await queueDiscard(env, stageKey(version, "holdout"));
    await queueDiscard(env, stageKey(version, "full"));
    await env.MODELS.delete(warmIndexKey(version));
    await discardTrainedModel(env, version);
    failed.push({ version, failure });
  }
  if (failed.length > 0) console.warn(JSON.stringify({ msg: "stalled retrains marked failed", failed }));
  return failed;
}
