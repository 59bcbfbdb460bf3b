import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { indexCatalogSlice, planCatalog, type CatalogPlan, type PublishedCatalog } from "../catalog-publish";
import type { Env } from "../env";
import { markFailed, recordStep } from "../versions";
import { meteredBindings, takeOperations } from "./binding-meter";
import { cleanUpRun } from "./clean-up";
import { evaluateHoldoutSlice, recordHoldoutTwin } from "./evaluate";
import { gateAndSwitchPointer } from "./gate";
import type { RetrainParams } from "./params";
import { finishPruning, planPruning, pruneVersionKeys } from "./prune";
import { publishPart } from "./publish-part";
import { publishVersion, type ModelSource } from "./publish-version";
import { readTrainingData, stagePrefix, type Stage } from "./read-data";
import { STEP_CONFIG, timedSteps } from "./timed-step";
import { trainSlice } from "./train-slice";
import { runPrefix } from "./trainer-store";

type Steps = ReturnType<typeof timedSteps>;

/**
 * A retrain of one model version, one instance per version (instance id = version). Each line is a step,
 * each step a module of this folder; what passes between steps is small (keys into R2, counts), and the
 * trainers live in R2 in between. The version row records the step under way (GET /admin/models/{version}).
 */
export class RetrainWorkflow extends WorkflowEntrypoint<Env, RetrainParams> {
  /** The steps' KV and R2 bindings count their calls, logged with each step's time. */
  constructor(ctx: ExecutionContext, env: Env) {
    super(ctx, meteredBindings(env));
  }

  override async run(event: WorkflowEvent<RetrainParams>, step: WorkflowStep) {
    const { version, trained } = event.payload;
    const env = this.env;
    const pause = Number(env.RETRAIN_STEP_PAUSE_MS);
    const begin = (name: string, at: number) => recordStep(env, version, name, at);
    const run = timedSteps(step, version, pause, begin, () => takeOperations(env));
    try {
      const model: ModelSource = trained ? { trainer: trained } : await this.train(run, version);
      const catalog = await this.indexCatalog(run, version);
      const parts = await run("publish the catalog and charts", () => publishVersion(env, version, model, catalog));
      for (let part = 0; part < parts; part++)
        await run(`publish part ${part}`, () => publishPart(env, version, model, catalog, part));
      const decision = await run("promotion gate and pointer switch", () => gateAndSwitchPointer(env, version));
      for (const old of await run("plan pruning", () => planPruning(env))) await this.prune(run, old);
      await run("clean up", () => cleanUpRun(env, version, trained));
      return { version, promoted: decision?.promote ?? false };
    } catch (error) {
      // Retries exhausted: the version says why, and nothing is left behind.
      const failure = error instanceof Error ? error.message : String(error);
      await step.do("record the failure", STEP_CONFIG, () => markFailed(env, version, failure));
      await step.do("clean up after the failure", STEP_CONFIG, () => cleanUpRun(env, version, trained));
      throw error;
    }
  }

  /** The holdout twin, judged; then the full model, starting from the twin's factors and blend. */
  private async train(run: Steps, version: string): Promise<ModelSource> {
    const env = this.env;
    await run("read training data for the holdout twin", () => readTrainingData(env, version, "holdout"));
    await this.trainInSlices(run, version, "holdout");
    await this.evaluateInSlices(run, version);
    const blend = await run("record the holdout twin's figures", () => recordHoldoutTwin(env, version));
    await run("read training data for the full model", () => readTrainingData(env, version, "full", blend));
    return { trainer: await this.trainInSlices(run, version, "full") };
  }

  /** A stage's trainer, a slice a step (TRAINING_SLICE_WORK), until it has finished. */
  private async trainInSlices(run: Steps, version: string, stage: Stage): Promise<string> {
    const prefix = stagePrefix(version, stage);
    const work = Number(this.env.TRAINING_SLICE_WORK);
    const slice = (n: number) => run(`train ${stage} slice ${n}`, () => trainSlice(this.env.ARTIFACTS, prefix, work));
    for (let n = 0; !(await slice(n)).finished; n++);
    return prefix;
  }

  /** The holdout twin judged a range of listeners a step (as many as TRAINING_SLICE_WORK allows). */
  private async evaluateInSlices(run: Steps, version: string): Promise<void> {
    const work = Number(this.env.TRAINING_SLICE_WORK);
    const slice = (n: number) =>
      run(`evaluate the holdout twin slice ${n}`, () => evaluateHoldoutSlice(this.env, version, work));
    for (let n = 0; !(await slice(n)); n++);
  }

  /** The whole catalog's ids, a slice a step, left in R2 by the part that publishes their rows. */
  private async indexCatalog(run: Steps, version: string): Promise<PublishedCatalog> {
    const plan: CatalogPlan = await run("plan the catalog", () => planCatalog(this.env.DB));
    const prefix = `${runPrefix(version)}catalog/`;
    let slices = 0;
    for (let after: string | null = ""; after !== null; slices++) {
      const [slice, from]: [number, string] = [slices, after];
      after = await run(`read the catalog's ids slice ${slice}`, (): Promise<string | null> =>
        indexCatalogSlice(this.env, prefix, plan, slice, from),
      );
    }
    return { plan, prefix, slices };
  }

  /** A version past retention: its KV keys a page a step, then the rest of it. */
  private async prune(run: Steps, version: string): Promise<void> {
    let cursor: string | null = null;
    for (let n = 0; n === 0 || cursor !== null; n++) {
      const from: string | null = cursor;
      cursor = await run(`prune ${version} keys ${n}`, (): Promise<string | null> =>
        pruneVersionKeys(this.env, version, from),
      );
    }
    await run(`prune ${version}`, () => finishPruning(this.env, version));
  }
}
