import { Trainer } from "../../shared/model";
import {
  judgeSynthetic,
  syntheticSplit,
  type SyntheticJudgement,
  type SyntheticSize,
} from "../../shared/model/synthetic";
import type { Env } from "./env";
import { enqueueJobs, type SyntheticJob } from "./jobs";
import { loadHeldOut, queueDiscard, runTrainerSlice, storeHeldOut } from "./trainer-state";

/**
 * Synthetic training runs: an operator asks for data of a given size, and the retraining worker draws it
 * and trains on it through the same queue jobs, KV store and trainer as a retrain. They show what a
 * catalogue and audience of that size cost inside the Worker before real data gets there; nothing is
 * published, and D1 and the live model are not touched.
 */
export interface SyntheticRun {
  run: string;
  size: SyntheticSize;
  status: "training" | "trained";
  requestedAt: number;
  finishedAt?: number;
  /** The trained model and a popularity baseline on the same held-out sample. */
  evaluation?: SyntheticJudgement;
}

/** Run records are for the operator who asked; they expire after a week. */
const RUN_TTL_SECONDS = 7 * 24 * 3600;

const runKey = (run: string) => `synthetic:${run}`;
const trainerKey = (run: string) => `synthetic:${run}:trainer`;

async function saveRun(env: Env, record: SyntheticRun): Promise<void> {
  await env.MODELS.put(runKey(record.run), JSON.stringify(record), { expirationTtl: RUN_TTL_SECONDS });
}

export async function startSyntheticRun(env: Env, size: SyntheticSize): Promise<SyntheticRun> {
  const record: SyntheticRun = { run: crypto.randomUUID(), size, status: "training", requestedAt: Date.now() };
  await saveRun(env, record);
  await enqueueJobs(env.JOBS, [{ kind: "synthetic", run: record.run, size }]);
  return record;
}

export function getSyntheticRun(env: Env, run: string): Promise<SyntheticRun | null> {
  return env.MODELS.get<SyntheticRun>(runKey(run), "json");
}

/**
 * One slice of a synthetic run. The first job draws the data and holds out a sample of listeners' items;
 * the last judges the model on them.
 */
export async function runSyntheticJob(env: Env, job: SyntheticJob): Promise<void> {
  const { run, size } = job;
  const options = { seed: size.seed };
  const slice = await runTrainerSlice(env, job, trainerKey(run), options, async (store) => {
    const { train, heldOut } = syntheticSplit(size);
    await storeHeldOut(store, heldOut);
    return { trainer: new Trainer(train, options), kept: {} };
  });
  if (!slice) return;
  const { trainer, store } = slice;
  const evaluation = judgeSynthetic(trainer.outcome(), size, await loadHeldOut(store));
  const record = await getSyntheticRun(env, run);
  if (record) await saveRun(env, { ...record, status: "trained", finishedAt: Date.now(), evaluation });
  await queueDiscard(env, trainerKey(run), trainer);
}
