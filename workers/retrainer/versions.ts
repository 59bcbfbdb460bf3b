import { and, count, desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelParts, modelVersions } from "../../shared/db/schema";
import { CURRENT_MODEL_KEY, type ModelPointer } from "../../shared/publish/artifacts";
import type { Env } from "./env";
import { enqueueJobs } from "./jobs";

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

export async function switchPointer(env: Env, version: string, now = Date.now()): Promise<void> {
  const pointer: ModelPointer = { version, publishedAt: now };
  await env.MODELS.put(CURRENT_MODEL_KEY, JSON.stringify(pointer));
}

/** Records a written part; true once every part of the version is written (idempotent per part). */
export async function markPartWritten(env: Env, version: string, part: string, now = Date.now()): Promise<boolean> {
  const d = drizzle(env.DB);
  await d.insert(modelParts).values({ version, part, writtenAt: now }).onConflictDoNothing();
  const [written] = await d
    .select({ n: count() })
    .from(modelParts)
    .where(and(eq(modelParts.version, version)));
  const row = await getVersion(env, version);
  return !!row && row.partsTotal > 0 && (written?.n ?? 0) >= row.partsTotal;
}
