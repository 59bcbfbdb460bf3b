import type { Env } from "../env";
import { deleteUnder, forgetFinishedTrainer, runPrefix } from "./trainer-store";

/**
 * Deletes what a run kept in R2 between its steps (its trainers' states and arrays, and a model trained
 * elsewhere that it was given to publish, see RetrainParams.trained): the last step of a run, finished or
 * failed, and part of a cancellation. Answers how many objects went.
 */
export async function cleanUpRun(env: Env, run: string, trained?: string): Promise<number> {
  forgetFinishedTrainer();
  const given = trained ? await deleteUnder(env.ARTIFACTS, trained) : 0;
  return given + (await deleteUnder(env.ARTIFACTS, runPrefix(run)));
}
