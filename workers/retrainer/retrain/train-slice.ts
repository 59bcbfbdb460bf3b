import { yieldToRuntime } from "../../../shared/util/sliced";
import { forgetFinishedTrainer, loadTrainer, saveTrainer } from "./trainer-store";

/** What a training step answers: small, since every step's result is kept with the instance. */
export interface SliceResult {
  finished: boolean;
  phase: string;
  done: number;
  total: number;
}

/**
 * Trainer steps per slice for `sliceWork` (TRAINING_SLICE_WORK: interactions x steps). A trainer step (a
 * block of 500 items or 100 listeners, a few blends of the tuning, or a block of an ALS half-sweep) costs
 * about in proportion to the interactions: at Last.fm's size a tenth to a quarter of a second of CPU on a
 * 2-core development machine, so 400,000 is about a second a slice (`npm run bench:retrain` prints the
 * longest steps). A slice never runs fewer than one step, so a step's own bound (its blocks) is the floor.
 */
export function trainerStepsPerSlice(interactions: number, sliceWork: number): number {
  return Math.min(256, Math.max(1, Math.floor(sliceWork / Math.max(interactions, 1))));
}

/**
 * One slice of the trainer saved under `prefix`: it resumes, runs a bounded number of steps (wall time is
 * no guide on the edge, where the clock stands still during computation) and saves where it stopped.
 * The state is saved last, so a slice retried after dying half-way starts again from where the last
 * finished slice stopped and redoes the same blocks.
 */
export async function trainSlice(bucket: R2Bucket, prefix: string, sliceWork: number): Promise<SliceResult> {
  // Training needs the memory a finished model kept from an earlier step would hold.
  forgetFinishedTrainer();
  const { trainer, kept, options, store } = await loadTrainer<unknown>(bucket, prefix);
  const steps = trainerStepsPerSlice(trainer.state().shape.interactions, sliceWork);
  // Between trainer steps, and every few milliseconds within them, the runtime serves whatever waits for it
  // (locally, the edge).
  const progress = await trainer.advance(store, steps, yieldToRuntime);
  // A finished trainer keeps its model's arrays in memory only: they are written for the steps that read them.
  await saveTrainer(bucket, prefix, trainer, options, kept);
  return { finished: progress.finished, phase: progress.phase, done: progress.done, total: progress.total };
}
