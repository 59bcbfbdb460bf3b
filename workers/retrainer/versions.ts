import { and, count, desc, eq, isNotNull, ne } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelParts, modelVersions } from "../../shared/db/schema";
import type { EvaluationReport } from "../../shared/model";
import { CURRENT_MODEL_KEY, type ModelPointer } from "../../shared/publish/artifacts";
import { promotionDecision, type PromotionDecision } from "../../shared/publish/promotion";
import type { Env } from "./env";
import { gateInput, pruneHoldoutScores } from "./holdout-scores";
import { enqueueJobs } from "./jobs";
import { liveSet } from "./live-set";

export interface VersionMetrics {
  holdout: EvaluationReport;
  blendWeights: Record<string, number>;
  promotion?: PromotionDecision;
}

export function newVersionId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `v${stamp}-${crypto.randomUUID().slice(0, 6)}`;
}

/** Registers a version and queues its training; the answer comes before the work is done. */
export async function startRetrain(env: Env, trigger: string, now = Date.now()): Promise<string> {
  const version = newVersionId(now);
  await drizzle(env.DB)
    .insert(modelVersions)
    .values({ version, algorithm: "pending", status: "building", trigger, createdAt: now });
  await enqueueJobs(env.JOBS, [{ kind: "train", version }]);
  return version;
}

export async function listVersions(env: Env, limit = 20) {
  return drizzle(env.DB).select().from(modelVersions).orderBy(desc(modelVersions.createdAt)).limit(limit);
}

export async function getVersion(env: Env, version: string) {
  const [row] = await drizzle(env.DB).select().from(modelVersions).where(eq(modelVersions.version, version));
  return row;
}

export async function currentPointer(env: Env): Promise<ModelPointer | null> {
  return env.MODELS.get<ModelPointer>(CURRENT_MODEL_KEY, "json");
}

/** Records a written part; true once every part of the version is written (idempotent per part). */
export async function markPartWritten(env: Env, version: string, part: string, now = Date.now()): Promise<boolean> {
  const d = drizzle(env.DB);
  await d.insert(modelParts).values({ version, part, writtenAt: now }).onConflictDoNothing();
  const [written] = await d.select({ n: count() }).from(modelParts).where(eq(modelParts.version, version));
  const row = await getVersion(env, version);
  return !!row && row.partsTotal > 0 && (written?.n ?? 0) >= row.partsTotal;
}

/**
 * A fully written version goes live only if it is not clearly worse than the live one on the listeners both
 * evaluated (promotionDecision); otherwise it stays `rejected`, kept for an operator who may still promote
 * it. Per-listener figures are then kept only for the versions a later gate or an operator may need.
 */
export async function finishVersion(env: Env, version: string, now = Date.now()): Promise<void> {
  const row = await getVersion(env, version);
  if (!row || row.status !== "building") return;
  const metrics = row.metrics as VersionMetrics;
  const live = await currentPointer(env);
  const liveRow = live && live.version !== version ? await getVersion(env, live.version) : undefined;
  const liveHoldout = (liveRow?.metrics as VersionMetrics | undefined)?.holdout;
  const decision = promotionDecision(
    await gateInput(env.DB, version, metrics.holdout),
    liveRow && liveHoldout ? await gateInput(env.DB, liveRow.version, liveHoldout) : null,
  );
  const d = drizzle(env.DB);
  await d
    .update(modelVersions)
    .set({ status: decision.promote ? "published" : "rejected", metrics: { ...metrics, promotion: decision } })
    .where(eq(modelVersions.version, version));
  if (decision.promote) await promote(env, version, now);
  await pruneHoldoutScores(env.DB, await versionsToJudgeBy(env));
}

/** Versions whose per-listener figures are kept: the live one, the rollback target and the most recent. */
const RECENT_VERSIONS_KEPT = 5;

async function versionsToJudgeBy(env: Env): Promise<string[]> {
  const recent = await listVersions(env, RECENT_VERSIONS_KEPT);
  const [live, previous] = await Promise.all([currentPointer(env), previousVersion(env)]);
  return [...recent.map((r) => r.version), live?.version, previous].filter((v): v is string => v !== undefined);
}

export type PromoteResult = { ok: true; pointer: ModelPointer } | { ok: false; status: 404 | 409; detail: string };

/**
 * Switches the live pointer to a fully written version: promotion by an operator, rollback, and a
 * shipped experiment's version. The pointer carries the live set of experiments (read from D1 here,
 * so a promotion never drops one that started meanwhile).
 */
export async function promote(env: Env, version: string, now = Date.now()): Promise<PromoteResult> {
  const row = await getVersion(env, version);
  if (!row) return { ok: false, status: 404, detail: `No model version ${version}` };
  if (row.status === "building") return { ok: false, status: 409, detail: `Version ${version} is still being written` };
  if (row.status === "failed") return { ok: false, status: 409, detail: `Version ${version} failed: ${row.failure}` };
  const pointer: ModelPointer = { version, publishedAt: now, live: await liveSet(env) };
  await env.MODELS.put(CURRENT_MODEL_KEY, JSON.stringify(pointer));
  await drizzle(env.DB)
    .update(modelVersions)
    .set({ status: "published", publishedAt: now })
    .where(eq(modelVersions.version, version));
  return { ok: true, pointer };
}

/** The version that was live before the current one. */
export async function previousVersion(env: Env): Promise<string | undefined> {
  const live = await currentPointer(env);
  const [row] = await drizzle(env.DB)
    .select({ version: modelVersions.version })
    .from(modelVersions)
    .where(
      and(
        isNotNull(modelVersions.publishedAt),
        eq(modelVersions.status, "published"),
        ne(modelVersions.version, live?.version ?? ""),
      ),
    )
    .orderBy(desc(modelVersions.publishedAt))
    .limit(1);
  return row?.version;
}
