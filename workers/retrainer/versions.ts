import { and, desc, eq, isNotNull, ne } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../shared/db/schema";
import type { EvaluationReport } from "../../shared/model";
import { CURRENT_MODEL_KEY, type ModelPointer } from "../../shared/publish/artifacts";
import type { PromotionDecision } from "../../shared/publish/promotion";
import type { Env } from "./env";
import { liveSet } from "./live-set";
import type { RetrainParams } from "./retrain/params";

export interface VersionMetrics {
  holdout: EvaluationReport;
  blendWeights: Record<string, number>;
  promotion?: PromotionDecision;
}

export function newVersionId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `v${stamp}-${crypto.randomUUID().slice(0, 6)}`;
}

export type VersionRow = typeof modelVersions.$inferSelect;

export type StartResult = { ok: true; version: string } | { ok: false; running: VersionRow };

/** The version a retrain is building now, if any: there is at most one (see the schema's unique index). */
export async function buildingVersion(env: Env): Promise<VersionRow | undefined> {
  const [row] = await drizzle(env.DB).select().from(modelVersions).where(eq(modelVersions.status, "building"));
  return row;
}

/**
 * Registers a version as building. One retrain at a time: while one builds, this answers which one it is.
 * `createdAt` is when its training data was read (a model trained elsewhere read the lake earlier): what
 * publishes it leaves out the listeners erased since (erasedSince).
 */
export async function registerVersion(
  env: Env,
  trigger: string,
  { now = Date.now(), createdAt = now }: { now?: number; createdAt?: number } = {},
): Promise<StartResult> {
  const running = await buildingVersion(env);
  if (running) return { ok: false, running };
  const version = newVersionId(now);
  try {
    await drizzle(env.DB)
      .insert(modelVersions)
      .values({ version, algorithm: "pending", status: "building", trigger, createdAt, progressAt: now });
  } catch (error) {
    // Another retrain was registered between the look and the insert.
    const raced = await buildingVersion(env);
    if (raced) return { ok: false, running: raced };
    throw error;
  }
  return { ok: true, version };
}

/** Why a retrain cannot start while `running` builds, and what an operator can do about it. */
export function runningDetail({ version, step }: VersionRow): string {
  return (
    `Version ${version} is being retrained (step: ${step ?? "starting"}) and one retrain runs at a time: ` +
    `GET /admin/models/${version} shows its run, POST /admin/models/${version}/cancel stops it`
  );
}

/**
 * Registers a version and starts its retrain Workflow (instance id = the version); the answer comes before
 * the work is done. `trained` names a model trained elsewhere, which the run publishes without training
 * (see RetrainParams).
 */
export async function startRetrain(
  env: Env,
  trigger: string,
  { now = Date.now(), trained }: { now?: number; trained?: RetrainParams["trained"] } = {},
): Promise<StartResult> {
  const registered = await registerVersion(env, trigger, { now });
  if (registered.ok) await startRun(env, registered.version, trained);
  return registered;
}

/** Starts the Workflow instance of a version registered as building; a version whose run cannot start is failed. */
export async function startRun(env: Env, version: string, trained?: RetrainParams["trained"]): Promise<void> {
  try {
    await env.RETRAIN.create({ id: version, params: { version, trained } satisfies RetrainParams });
  } catch (error) {
    await markFailed(env, version, `its retrain could not start: ${String(error)}`);
    throw error;
  }
}

/** Records the step a retrain has begun, which GET /admin/models/{version} shows and the stuck bound times. */
export async function recordStep(env: Env, version: string, step: string, now = Date.now()): Promise<void> {
  await drizzle(env.DB)
    .update(modelVersions)
    .set({ step, progressAt: now })
    .where(and(eq(modelVersions.version, version), eq(modelVersions.status, "building")));
}

/** Marks a version that is still building failed, with why; true if it was still building. */
export async function markFailed(env: Env, version: string, failure: string): Promise<boolean> {
  const updated = await drizzle(env.DB)
    .update(modelVersions)
    .set({ status: "failed", failure })
    .where(and(eq(modelVersions.version, version), eq(modelVersions.status, "building")))
    .returning({ version: modelVersions.version });
  return updated.length > 0;
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
  if (row.status === "pruned") return { ok: false, status: 409, detail: `Version ${version} was pruned` };
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
