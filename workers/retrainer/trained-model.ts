import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../shared/db/schema";
import { ARRAY_BYTES, partBytes, trainedModelKey, type TrainedModelManifest } from "../../shared/lake/offline-model";
import { decodeArray } from "../../shared/publish/stored-array";
import type { Env } from "./env";
import { storeHoldoutScores } from "./holdout-scores";
import { TRAINING_SEED, type StageKept } from "./retrain/read-data";
import { loadFinishedTrainer, r2TrainerStore, trainerPrefix, type SavedTrainer } from "./retrain/trainer-store";
import { withdrawnListeners } from "./training-data";
import { recordStep, registerVersion, runningDetail, startRun, type VersionMetrics } from "./versions";

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
  const registered = await registerVersion(env, "offline", { now, createdAt: Math.min(manifest.lakeReadAt, now) });
  if (!registered.ok) return { status: 409, detail: runningDetail(registered.running) };
  const { version } = registered;
  await env.ARTIFACTS.put(trainedModelKey.manifest(version), JSON.stringify(manifest));
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
  // An upload in progress is a run's first step: the stuck bound counts from its last part.
  await recordStep(env, version, `upload ${name} part ${part}`);
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
  if (await env.RETRAIN.get(version).catch(() => null)) {
    return { status: 409, detail: `Version ${version} is being published already` };
  }
  const parts = uploadParts(version, manifest);
  const heads = await Promise.all(parts.map((p) => env.ARTIFACTS.head(p.key)));
  const missing = parts.filter((_, i) => !heads[i]).map((p) => `${p.name}/${p.part}`);
  if (missing.length > 0) return { status: 409, detail: `Parts not uploaded yet: ${missing.join(", ")}` };
  const refused = await startPublishing(env, version, manifest);
  return refused ?? { version, status: "building" };
}

/**
 * Hands the upload to the retrain Workflow: its arrays, assembled from their parts, and its state are saved
 * as a finished trainer (retrain/trainer-store.ts) under the run's own prefix, which the run publishes from
 * and deletes when it ends (the uploaded parts, under the same prefix, with it). The holdout figures are
 * stored as a retrain's evaluation stores them, so the promotion gate pairs them with the live version's.
 */
async function startPublishing(
  env: Env,
  version: string,
  manifest: TrainedModelManifest,
): Promise<Refusal | undefined> {
  const prefix = trainerPrefix(version, "offline");
  const store = r2TrainerStore(env.ARTIFACTS, prefix);
  for (const [name, header] of Object.entries(manifest.arrays)) {
    const parts: ArrayBuffer[] = [];
    for (let part = 0; part < header.parts; part++) {
      const object = await env.ARTIFACTS.get(trainedModelKey.part(version, name, part));
      if (!object) throw new Error(`part ${part} of array ${name} of ${version} vanished`);
      parts.push(await object.arrayBuffer());
    }
    await store.put(name, decodeArray(header, parts));
  }
  const saved: SavedTrainer<StageKept> = {
    trainer: manifest.trainer,
    options: { seed: TRAINING_SEED },
    kept: { index: manifest.index },
  };
  await env.ARTIFACTS.put(`${prefix}state.json`, JSON.stringify(saved));
  const finished = await loadFinishedTrainer(env.ARTIFACTS, prefix).catch((error: unknown) => String(error));
  if (typeof finished === "string") return { status: 422, detail: `The uploaded trainer cannot serve: ${finished}` };
  const scores = manifest.holdout.listeners;
  await storeHoldoutScores(
    env.DB,
    version,
    scores.map((s) => s.listener),
    scores.map((s, listener) => ({ listener, ndcg: s.ndcg, recall: s.recall })),
  );
  const metrics: VersionMetrics = { holdout: manifest.holdout.report, blendWeights: manifest.holdout.blendWeights };
  await drizzle(env.DB).update(modelVersions).set({ metrics }).where(eq(modelVersions.version, version));
  await startRun(env, version, prefix);
  return undefined;
}
