import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep, type WorkflowStepConfig } from "cloudflare:workers";
import type { Env } from "../env";
import { markFailed, recordStep } from "../versions";
import { cleanUpRun } from "./clean-up";
import { evaluateHoldoutTwin } from "./evaluate";
import { gateAndSwitchPointer } from "./gate";
import type { RetrainParams } from "./params";
import { finishPruning, planPruning, pruneVersionKeys } from "./prune";
import { publishPart } from "./publish-part";
import { publishVersion, type ModelSource } from "./publish-version";
import { readTrainingData, stagePrefix, type Stage } from "./read-data";
import { trainSlice } from "./train-slice";

/**
 * Every step retries a few times with backoff (a D1 or R2 hiccup); one that fails them all fails the run,
 * and the version with it. Steps are slices of a second or two, so ten minutes means a hung one.
 */
const STEP: WorkflowStepConfig = { retries: { limit: 3, delay: "5 seconds", backoff: "exponential" }, timeout: "10 minutes" };

/**
 * A retrain of one model version, one instance per version (instance id = version). Each line is a step,
 * each step a module of this folder; what passes between steps is small (keys into R2, counts), and the
 * trainers live in R2 in between. The version row records the step under way (GET /admin/models/{version}).
 */
export class RetrainWorkflow extends WorkflowEntrypoint<Env, RetrainParams> {
  override async run(event: WorkflowEvent<RetrainParams>, step: WorkflowStep) {
    const { version, trained } = event.payload;
    const env = this.env;
    const run = <T extends Rpc.Serializable<T>>(name: string, work: () => Promise<T>) =>
      step.do(name, STEP, async () => {
        const started = Date.now();
        await recordStep(env, version, name, started);
        const result = await work();
        // What `npm run bench:retrain` reads each step's time from.
        console.log(JSON.stringify({ msg: "retrain step", version, step: name, ms: Date.now() - started }));
        return result;
      });
    const trainStage = async (stage: Stage) => {
      const prefix = stagePrefix(version, stage);
      for (let n = 0; !(await run(`train ${stage} slice ${n}`, () => trainSlice(env.ARTIFACTS, prefix, sliceWork))).finished; n++);
      return prefix;
    };
    const sliceWork = Number(env.TRAINING_SLICE_WORK);

    try {
      let model: ModelSource = { trainer: trained ?? "" };
      if (!trained) {
        await run("read training data for the holdout twin", () => readTrainingData(env, version, "holdout"));
        await trainStage("holdout");
        const blend = await run("evaluate the holdout twin", () => evaluateHoldoutTwin(env, version));
        await run("read training data for the full model", () => readTrainingData(env, version, "full", blend));
        model = { trainer: await trainStage("full") };
      }
      const parts = await run("publish the catalog and charts", () => publishVersion(env, version, model));
      for (let part = 0; part < parts; part++) {
        await run(`publish part ${part}`, () => publishPart(env, version, model, part));
      }
      const decision = await run("promotion gate and pointer switch", () => gateAndSwitchPointer(env, version));
      for (const old of await run("plan pruning", () => planPruning(env))) {
        let cursor: string | null = null;
        for (let n = 0; n === 0 || cursor !== null; n++) {
          const from: string | null = cursor;
          cursor = await run(`prune ${old} keys ${n}`, (): Promise<string | null> => pruneVersionKeys(env, old, from));
        }
        await run(`prune ${old}`, () => finishPruning(env, old));
      }
      await run("clean up", () => cleanUpRun(env, version, trained));
      return { version, promoted: decision?.promote ?? false };
    } catch (error) {
      // Retries exhausted (or the run was cancelled): the version says why, and nothing is left behind.
      const failure = error instanceof Error ? error.message : String(error);
      await step.do("record the failure", STEP, () => markFailed(env, version, failure));
      await step.do("clean up after the failure", STEP, () => cleanUpRun(env, version, trained));
      throw error;
    }
  }
}
