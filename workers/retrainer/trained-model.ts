import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../shared/db/schema";
import { trainedModelKey, type TrainedModelManifest } from "../../shared/lake/offline-model";
import type { StateArray, TrainerState } from "../../shared/model";
import { decodeArray, type StoredArrayHeader } from "../../shared/publish/stored-array";
import type { Env } from "./env";
import { storeHoldoutScores } from "./holdout-scores";
import { readyVersion, stageKey, TRAINING_SEED } from "./publish";
import { kvTrainerStore, resumeFinishedTrainer, type TrainingStageState } from "./trainer-state";
import { withdrawnListeners } from "./training-data";
import { newVersionId, type VersionMetrics } from "./versions";

/**
 * A model trained outside Workers (`npm run train:offline`, or any engine that keeps the contract of
 * shared/lake/offline-model.ts), published as a version: its manifest registers the version, its arrays are
 * uploaded one by one into R2 beside it, and once all are there the normal publish path turns it into
 * serving artefacts and the promotion gate decides whether the pointer switches.
 */
export type Refusal = { status: 404 | 409 | 422; detail: string };

const ARRAY_BYTES = { Int32Array: 4, Float32Array: 4, Float64Array: 8 } as const;

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

/** One array of an uploaded model, its bytes little-endian as the typed array holds them. */
export async function storeTrainedArray(
  env: Env,
  version: string,
  name: string,
  type: keyof typeof ARRAY_BYTES,
  bytes: ArrayBuffer,
): Promise<{ name: string; length: number } | Refusal> {
  const manifest = await uploadingVersion(env, version);
  if ("status" in manifest) return manifest;
  if (!manifest.trainer.stored.includes(name)) {
    return { status: 404, detail: `The manifest of ${version} lists no array ${name}` };
  }
  if (bytes.byteLength % ARRAY_BYTES[type] !== 0) {
    return { status: 422, detail: `${bytes.byteLength} bytes are no whole number of ${type} elements` };
  }
  const length = bytes.byteLength / ARRAY_BYTES[type];
  await env.ARTIFACTS.put(trainedModelKey.array(version, name), bytes, {
    customMetadata: { type, length: String(length) },
  });
  return { name, length };
}

/** Once every array is uploaded: the version is handed to the publish path. */
export async function publishTrainedModel(
  env: Env,
  version: string,
  now = Date.now(),
): Promise<{ version: string; status: "building" } | Refusal> {
  const manifest = await uploadingVersion(env, version);
  if ("status" in manifest) return manifest;
  const heads = await Promise.all(
    manifest.trainer.stored.map((name) => env.ARTIFACTS.head(trainedModelKey.array(version, name))),
  );
  const missing = manifest.trainer.stored.filter((_, i) => !heads[i]);
  if (missing.length > 0) return { status: 409, detail: `Arrays not uploaded yet: ${missing.join(", ")}` };
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
  for (const name of manifest.trainer.stored) {
    const object = await env.ARTIFACTS.get(trainedModelKey.array(version, name));
    if (!object) throw new Error(`array ${name} of ${version} vanished`);
    await store.put(name, uploadedArray(object.customMetadata!, await object.arrayBuffer()));
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
  await env.ARTIFACTS.delete([
    trainedModelKey.manifest(version),
    ...manifest.trainer.stored.map((name) => trainedModelKey.array(version, name)),
  ]);
  return undefined;
}

function uploadedArray(metadata: Record<string, string>, bytes: ArrayBuffer): StateArray {
  const header: StoredArrayHeader = {
    type: metadata.type as StoredArrayHeader["type"],
    length: Number(metadata.length),
    parts: 1,
  };
  return decodeArray(header, [bytes]);
}
