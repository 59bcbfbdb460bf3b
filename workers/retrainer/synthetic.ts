import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { z } from "zod";
import { Trainer } from "../../shared/model";
import {
  judgeSynthetic,
  syntheticSplit,
  type SyntheticJudgement,
  type SyntheticSize,
} from "../../shared/model/synthetic";
import type { Env } from "./env";
import { cleanUpRun } from "./retrain/clean-up";
import { timedSteps } from "./retrain/timed-step";
import { trainSlice } from "./retrain/train-slice";
import {
  loadFinishedTrainer,
  loadHeldOut,
  r2TrainerStore,
  saveTrainer,
  storeHeldOut,
  trainerPrefix,
} from "./retrain/trainer-store";

/**
 * Synthetic training runs: an operator asks for data of a given size, and the retraining worker draws it
 * and trains on it in a Workflow of the same slices, R2 store and trainer as a retrain. They show what a
 * catalogue and audience of that size cost inside the Worker before real data gets there; nothing is
 * published, and D1 and the live model are not touched.
 */

/**
 * The bounds are twice the size asked of the model (100,000 x 50,000 x 5,000,000) in listeners and items,
 * whose ids and per-group item rankings the first step holds beside the drawn plays, and that size in plays,
 * which it draws and splits within a Worker's 128 MB.
 */
export const SyntheticTrainingRequest = z
  .strictObject({
    listeners: z.number().int().min(1).max(200_000),
    items: z.number().int().min(2).max(100_000),
    interactions: z.number().int().min(1).max(5_000_000),
    seed: z.number().int().min(0).default(1),
  })
  .refine((size) => size.interactions >= size.listeners, {
    message: "interactions must be at least one per listener",
    path: ["interactions"],
  });

export interface SyntheticRun {
  run: string;
  size: SyntheticSize;
  status: "training" | "trained" | "failed";
  requestedAt: number;
  finishedAt?: number;
  /** The trained model and a popularity baseline on the same held-out sample. */
  evaluation?: SyntheticJudgement;
  failure?: string;
}

/** Run records are for the operator who asked; they expire after a week. */
const RUN_TTL_SECONDS = 7 * 24 * 3600;

const runKey = (run: string) => `synthetic:${run}`;
const trainerOf = (run: string) => trainerPrefix(run, "trainer");

async function saveRun(env: Env, record: SyntheticRun): Promise<void> {
  await env.MODELS.put(runKey(record.run), JSON.stringify(record), { expirationTtl: RUN_TTL_SECONDS });
}

/** Records the run and starts its Workflow (instance id = the run). */
export async function startSyntheticRun(env: Env, size: SyntheticSize): Promise<SyntheticRun> {
  const record: SyntheticRun = { run: crypto.randomUUID(), size, status: "training", requestedAt: Date.now() };
  await saveRun(env, record);
  await env.SYNTHETIC_TRAINING.create({ id: record.run, params: record });
  return record;
}

export function getSyntheticRun(env: Env, run: string): Promise<SyntheticRun | null> {
  return env.MODELS.get<SyntheticRun>(runKey(run), "json");
}

/** Draws the data, holds out a sample of listeners' items, and starts the trainer on the rest. */
async function drawData(env: Env, run: string, size: SyntheticSize): Promise<void> {
  const prefix = trainerOf(run);
  const options = { seed: size.seed };
  const { train, heldOut } = syntheticSplit(size);
  await storeHeldOut(r2TrainerStore(env.ARTIFACTS, prefix), heldOut);
  const trainer = new Trainer(train, options);
  await trainer.advance(r2TrainerStore(env.ARTIFACTS, prefix), 1);
  await saveTrainer(env.ARTIFACTS, prefix, trainer, options, {});
}

/** Judges the model against popularity on the held-out items, and records the run as trained. */
async function judge(env: Env, record: SyntheticRun): Promise<void> {
  const { trainer, store } = await loadFinishedTrainer(env.ARTIFACTS, trainerOf(record.run));
  const evaluation = judgeSynthetic(trainer.outcome(), record.size, await loadHeldOut(store));
  await saveRun(env, { ...record, status: "trained", finishedAt: Date.now(), evaluation });
}

/** A synthetic run: draw the data, train it slice by slice, judge the model; its record says how it ended. */
export class SyntheticTrainingWorkflow extends WorkflowEntrypoint<Env, SyntheticRun> {
  override async run(event: WorkflowEvent<SyntheticRun>, step: WorkflowStep) {
    const record = event.payload;
    const env = this.env;
    const sliceWork = Number(env.TRAINING_SLICE_WORK);
    const run = timedSteps(step, record.run, Number(env.RETRAIN_STEP_PAUSE_MS));
    const slice = (n: number) =>
      run(`train slice ${n}`, () => trainSlice(env.ARTIFACTS, trainerOf(record.run), sliceWork));
    try {
      await run("draw the data", () => drawData(env, record.run, record.size));
      for (let n = 0; !(await slice(n)).finished; n++);
      await run("judge the model", () => judge(env, record));
    } catch (error) {
      const failure = error instanceof Error ? error.message : String(error);
      await run("record the failure", () => saveRun(env, { ...record, status: "failed", failure }));
      throw error;
    } finally {
      await run("clean up", () => cleanUpRun(env, record.run));
    }
  }
}
