import { Trainer, type TrainerState, type TrainerStore, type TrainOptions } from "../../shared/model";
import { packLists, unpackLists } from "../../shared/model/sparse";
import { decodeArray, encodeArray, type StoredArrayHeader } from "../../shared/publish/stored-array";
import type { Env } from "./env";
import { enqueueJobs, type SyntheticJob, type TrainJob } from "./jobs";
import type { ModelIndex } from "./training-data";

/** KV values stop at 25 MiB. */
const PART_BYTES = 20 * 1024 * 1024;

/**
 * The arrays of the trainer whose state is under `stateKey`, in KV, one key per array under
 * `${stateKey}:`: the first part carries the array's header as metadata, further parts follow under
 * `name:1`, `name:2`, ...
 */
export function kvTrainerStore(kv: KVNamespace, stateKey: string): TrainerStore {
  const key = (name: string, part = 0) => `${stateKey}:${name}${part > 0 ? `:${part}` : ""}`;
  return {
    async get(name) {
      const { value, metadata } = await kv.getWithMetadata<StoredArrayHeader>(key(name), "arrayBuffer");
      if (!value || !metadata) return undefined;
      const parts = [value];
      for (let n = 1; n < metadata.parts; n++) {
        const part = await kv.get(key(name, n), "arrayBuffer");
        if (!part) throw new Error(`part ${n} of ${key(name)} is missing`);
        parts.push(part);
      }
      return decodeArray(metadata, parts);
    },
    async put(name, array) {
      const { header, parts } = encodeArray(array, PART_BYTES);
      // One part at a time: the runtime copies each value it sends, and one array may be much of the memory.
      for (let n = parts.length - 1; n >= 0; n--) {
        await kv.put(key(name, n), parts[n]!, n === 0 ? { metadata: header } : undefined);
      }
    },
    async delete(name) {
      const { keys } = await kv.list({ prefix: `${key(name)}:` });
      await Promise.all([key(name), ...keys.map((k) => k.name)].map((k) => kv.delete(k)));
    },
  };
}

/**
 * Trainer steps per job for `jobWork` (TRAINING_JOB_WORK: interactions x steps). A step (a block of about
 * 2,000 items or 250 listeners, or a block of an ALS half-sweep) costs about in proportion to the
 * interactions, so 60,000,000 keeps a job near a minute of CPU on a 2-core development machine, well
 * inside the retrainer's 300 s. Small data sets train in one job per stage.
 */
export function trainerStepsPerJob(interactions: number, jobWork: number): number {
  return Math.min(256, Math.max(8, Math.floor(jobWork / Math.max(interactions, 1))));
}

/** A trainer's held-out items, beside its arrays (not names the trainer uses), for judging it at the end. */
const HELD_OUT_INDPTR = "heldOut.indptr";
const HELD_OUT_ITEMS = "heldOut.items";

export async function storeHeldOut(store: TrainerStore, heldOut: number[][]): Promise<void> {
  const { indptr, indices } = packLists(heldOut);
  await store.put(HELD_OUT_INDPTR, indptr);
  await store.put(HELD_OUT_ITEMS, indices);
}

export async function loadHeldOut(store: TrainerStore): Promise<number[][]> {
  const indptr = await store.get(HELD_OUT_INDPTR);
  const items = await store.get(HELD_OUT_ITEMS);
  if (!indptr || !items) throw new Error("the trainer's held-out items are missing");
  return unpackLists(indptr, items as Int32Array);
}

/** A trainer's state as saveTrainer left it under `stateKey`, with what its caller keeps beside it. */
function savedTrainer<Kept extends object = object>(env: Env, stateKey: string) {
  return env.MODELS.get<{ trainer: TrainerState } & Kept>(stateKey, "json");
}

/** What a trainer's first job hands on: the trainer and what its state keeps beside it. */
export interface BegunTrainer<Kept> {
  trainer: Trainer;
  kept: Kept;
}

/**
 * One job's slice of a trainer that runs across queue jobs. The first job begins it with `begin`; later
 * ones resume it from its state under `stateKey`, its arrays in KV under the same prefix. It runs a fixed
 * number of steps (wall time is no guide on the edge, where the clock stands still during computation).
 * Then, if training has not finished, it leaves its state and queues the job again to resume where it
 * stopped, and this returns undefined; so does a redelivered job that does not match the state (a stale
 * one). Once finished, the caller gets the trainer with its model's arrays in memory, to save
 * (saveTrainer) or leave for deletion (queueDiscard).
 */
export async function runTrainerSlice<Kept extends object>(
  env: Env,
  job: TrainJob | SyntheticJob,
  stateKey: string,
  options: TrainOptions,
  begin: (store: TrainerStore) => Promise<BegunTrainer<Kept>>,
): Promise<(BegunTrainer<Kept> & { store: TrainerStore }) | undefined> {
  const store = kvTrainerStore(env.MODELS, stateKey);
  const saved = await savedTrainer<Kept>(env, stateKey);
  if (job.resumeAt?.phase !== saved?.trainer.phase || job.resumeAt?.cursor !== saved?.trainer.cursor) {
    console.warn(JSON.stringify({ msg: "stale training job ignored", job }));
    return undefined;
  }
  const { trainer, kept } = saved
    ? { trainer: new Trainer(undefined, options, saved.trainer), kept: saved as Kept }
    : await begin(store);
  const steps = trainerStepsPerJob(trainer.state().shape.interactions, Number(env.TRAINING_JOB_WORK));
  if ((await trainer.advance(store, steps)).finished) return { trainer, kept, store };
  const { phase, cursor } = await saveTrainer(env, stateKey, store, trainer, kept);
  await enqueueJobs(env.JOBS, [{ ...job, resumeAt: { phase, cursor } }]);
  return undefined;
}

/** Leaves a trainer in KV for another job to resume: its arrays in `store`, its state and `kept` under `stateKey`. */
export async function saveTrainer<Kept extends object>(
  env: Env,
  stateKey: string,
  store: TrainerStore,
  trainer: Trainer,
  kept: Kept,
): Promise<TrainerState> {
  await trainer.persist(store);
  const state = trainer.state();
  await env.MODELS.put(stateKey, JSON.stringify({ ...kept, trainer: state }));
  return state;
}

/**
 * A finished trainer its last job saved (saveTrainer) under `stateKey`, its model's arrays read back into
 * memory; undefined once it has been discarded.
 */
export async function resumeFinishedTrainer<Kept extends object>(
  env: Env,
  stateKey: string,
  options: TrainOptions,
): Promise<{ trainer: Trainer; kept: Kept; store: TrainerStore } | undefined> {
  const saved = await savedTrainer<Kept>(env, stateKey);
  if (!saved) return undefined;
  const store = kvTrainerStore(env.MODELS, stateKey);
  const trainer = new Trainer(undefined, options, saved.trainer);
  if (!(await trainer.advance(store, 0)).finished) throw new Error(`the trainer under ${stateKey} has not finished`);
  return { trainer, kept: saved, store };
}

/**
 * Leaves a finished trainer for a `discard` job to delete: its state (which names the arrays it stored)
 * under `stateKey`, and the job.
 */
export async function queueDiscard(env: Env, stateKey: string, trainer?: Trainer): Promise<void> {
  if (trainer) await env.MODELS.put(stateKey, JSON.stringify({ trainer: trainer.state() }));
  await enqueueJobs(env.JOBS, [{ kind: "discard", trainer: stateKey }]);
}

/** Deletes the trainer left under `stateKey` (see queueDiscard): its arrays, held-out items and state. */
export async function runDiscardJob(env: Env, stateKey: string): Promise<void> {
  const saved = await savedTrainer(env, stateKey);
  if (!saved) return;
  const store = kvTrainerStore(env.MODELS, stateKey);
  await new Trainer(undefined, {}, saved.trainer).discard(store);
  await Promise.all([HELD_OUT_INDPTR, HELD_OUT_ITEMS].map((name) => store.delete(name)));
  await env.MODELS.delete(stateKey);
}

/** What a retrain's stage keeps beside its trainer between jobs. */
export interface TrainingStageState {
  /** The ids the trainer's indices stand for, fixed when the stage began. */
  index: ModelIndex;
}
