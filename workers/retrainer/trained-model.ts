import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../shared/db/schema";
import { ARRAY_BYTES, partBytes, trainedModelKey, type TrainedModelManifest } from "../../shared/lake/offline-model";
import type { TrainerState } from "../../shared/model";
import { decodeArray } from "../../shared/publish/stored-array";
import type { Env } from "./env";
import { storeHoldoutScores } from "./holdout-scores";
import { readyVersion, stageKey, TRAINING_SEED } from "./publish";
import { kvTrainerStore, resumeFinishedTrainer, type TrainingStageState } from "./trainer-state";
import { withdrawnListeners } from "./training-data";
import { newVersionId, type VersionMetrics } from "./versions";

/**
 * A model trained outside Workers (`npm run train:offline`, or any engine that keeps the contract of
 * shared/lake/offline-model.ts), published as a version: its manifest registers the version, its arrays are
 * uploaded part by part into R2 beside it, and once all are there the normal publish path turns it into
 * serving artefacts and the promotion gate decides whether the pointer switches.
 */
export type Refusal = { status: 404 | 409 | 422; detail: string };

/** Registers a version for an uploaded model; answers the arrays still to upload. */
export async function registerTrainedModel(
  env: Env,
  manifest: TrainedModelManifest,
  now = Date.now(),
): Promise<{ version: string; arrays: string[] } | Refusal> {
  // The contract: listeners who withdrew personalization consent are left out (GET /admin/lake/withheld).
  const withdrawn = await withdrawnListeners(env.DB);
  const included = manifest.index.listeners.filter((id) => withdrawn.has(id)).length;
  if (included > 0) {
    return { status: 422, detail: `The model learned from ${included} listeners who withdrew consent` };
  }
  const version = newVersionId(now);
  await env.ARTIFACTS.put(trainedModelKey.manifest(version), JSON.stringify(manifest));
  // Created when the lake was read, so what publishes it leaves out anyone erased since (erasedSince).
  await drizzle(env.DB)
    .insert(modelVersions)
    .values({
      version,
      algorithm: "pending",
      status: "building",
      trigger: "offline",
      createdAt: Math.min(manifest.lakeReadAt, now),
      progressAt: now,
    });
  return { version, arrays: manifest.trainer.stored };
}

async function uploadingVersion(env: Env, version: string): Promise<TrainedModelManifest | Refusal> {
  const [row] = await drizzle(env.DB)
    .select({ status: modelVersions.status })
    .from(modelVersions)
    .where(and(eq(modelVersions.version, version), eq(modelVersions.trigger, "offline")));
  const manifest = await env.ARTIFACTS.get(trainedModelKey.manifest(version));
  if (!row || !manifest) return { status: 404, detail: `No uploaded model version ${version}` };
  if (row.status !== "building") return { status: 409, detail: `Version ${version} is ${row.status} already` };
  return manifest.json<TrainedModelManifest>();
}

/** One part of an array of an uploaded model: its bytes little-endian as the typed array holds them. */
export async function storeTrainedArrayPart(
  env: Env,
  version: string,
  name: string,
  part: number,
  bytes: ArrayBuffer,
): Promise<{ name: string; part: number; bytes: number } | Refusal> {
  const manifest = await uploadingVersion(env, version);
  if ("status" in manifest) return manifest;
  const header = manifest.arrays[name];
  if (!header || part >= header.parts) {
    return { status: 404, detail: `The manifest of ${version} lists no part ${part} of an array ${name}` };
  }
  const expected = partBytes(header.length * ARRAY_BYTES[header.type], part);
  if (bytes.byteLength !== expected) {
    return { status: 422, detail: `Part ${part} of ${name} must be ${expected} bytes, not ${bytes.byteLength}` };
  }
  await env.ARTIFACTS.put(trainedModelKey.part(version, name, part), bytes);
  return { name, part, bytes: bytes.byteLength };
}

/** Every part of every array of an upload: its key, and the array it belongs to. */
const uploadParts = (version: string, manifest: TrainedModelManifest) =>
  Object.entries(manifest.arrays).flatMap(([name, header]) =>
    Array.from({ length: header.parts }, (_, part) => ({ name, part, key: trainedModelKey.part(version, name, part) })),
  );

/** Once every array is uploaded: the version is handed to the publish path. */
export async function publishTrainedModel(
  env: Env,
  version: string,
  now = Date.now(),
): Promise<{ version: string; status: "building" } | Refusal> {
  const manifest = await uploadingVersion(env, version);
  if ("status" in manifest) return manifest;
  const parts = uploadParts(version, manifest);
  const heads = await Promise.all(parts.map((p) => env.ARTIFACTS.head(p.key)));
  const missing = parts.filter((_, i) => !heads[i]).map((p) => `${p.name}/${p.part}`);
  if (missing.length > 0) return { status: 409, detail: `Parts not uploaded yet: ${missing.join(", ")}` };
  const refused = await startPublishing(env, version, manifest, now);
  return refused ?? { version, status: "building" };
}

/**
 * The glue to today's publish path (publish.ts), kept in this one function: the uploaded arrays are copied
 * from R2 into the KV trainer store the publish jobs resume the finished trainer from, the holdout figures
 * are stored as a retrain's holdout stage stores them, and readyVersion queues the publish jobs. Then the
 * upload is deleted.
 */
async function startPublishing(
  env: Env,
  version: string,
  manifest: TrainedModelManifest,
  now: number,
): Promise<Refusal | undefined> {
  const stateKey = stageKey(version, "full");
  const store = kvTrainerStore(env.MODELS, stateKey);
  for (const [name, header] of Object.entries(manifest.arrays)) {
    const parts: ArrayBuffer[] = [];
    for (let part = 0; part < header.parts; part++) {
      const object = await env.ARTIFACTS.get(trainedModelKey.part(version, name, part));
      if (!object) throw new Error(`part ${part} of array ${name} of ${version} vanished`);
      parts.push(await object.arrayBuffer());
    }
    await store.put(name, decodeArray(header, parts));
  }
  const kept: TrainingStageState = { index: manifest.index };
  const trainer: TrainerState = manifest.trainer;
  await env.MODELS.put(stateKey, JSON.stringify({ ...kept, trainer }));
  const resumed = await resumeFinishedTrainer<TrainingStageState>(env, stateKey, { seed: TRAINING_SEED }).catch(
    (error: unknown) => ({ error: String(error) }),
  );
  if (!resumed || "error" in resumed) {
    return { status: 422, detail: `The uploaded trainer cannot serve: ${resumed?.error ?? "no state"}` };
  }
  const scores = manifest.holdout.listeners;
  await storeHoldoutScores(
    env.DB,
    version,
    scores.map((s) => s.listener),
    scores.map((s, listener) => ({ listener, ndcg: s.ndcg, recall: s.recall })),
  );
  const metrics: VersionMetrics = { holdout: manifest.holdout.report, blendWeights: manifest.holdout.blendWeights };
  await drizzle(env.DB).update(modelVersions).set({ metrics }).where(eq(modelVersions.version, version));
  await readyVersion(env, version, manifest.index, resumed.trainer.outcome(), now);
  // The upload has served its turn, and its manifest names listeners: erasure need not look for it.
  await discardTrainedModel(env, version);
  return undefined;
}

/**
 * Deletes what was uploaded for `version`: once handed to the publish path, or when the stalled sweep gives
 * the version up (an upload never published must not keep the pseudonyms its manifest names).
 */
export async function discardTrainedModel(env: Env, version: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await env.ARTIFACTS.list({ prefix: trainedModelKey.prefix(version), cursor });
    if (page.objects.length > 0) await env.ARTIFACTS.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}
