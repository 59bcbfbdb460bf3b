import type { WorkflowStep, WorkflowStepConfig } from "cloudflare:workers";

/**
 * Every step retries a few times with backoff (a D1 or R2 hiccup); one that fails them all fails the run.
 * Steps are slices of a second or two, so ten minutes means a hung one.
 */
export const STEP_CONFIG: WorkflowStepConfig = {
  retries: { limit: 3, delay: "5 seconds", backoff: "exponential" },
  timeout: "10 minutes",
};

/**
 * `step.do` with STEP_CONFIG for the steps of run `run`: `begin` runs first in each (a retrain records its
 * current step there), and each step logs its time, which `npm run bench:retrain` reads.
 */
export function timedSteps(step: WorkflowStep, run: string, begin?: (name: string, at: number) => Promise<void>) {
  return <T extends Rpc.Serializable<T>>(name: string, work: () => Promise<T>) =>
    step.do(name, STEP_CONFIG, async () => {
      const started = Date.now();
      await begin?.(name, started);
      const result = await work();
      console.log(JSON.stringify({ msg: "workflow step", run, step: name, ms: Date.now() - started }));
      return result;
    });
}
