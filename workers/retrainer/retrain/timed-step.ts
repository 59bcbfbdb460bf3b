import type { WorkflowStep, WorkflowStepConfig } from "cloudflare:workers";
import type { OperationCounts } from "./binding-meter";

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
 * current step there), and each step logs its time and the storage operations it made (`operations`
 * answers those since it was last asked; a failed attempt's are not counted to the retry), which
 * `npm run bench:retrain` reads. After each step
 * the run sleeps `pauseMs` (RETRAIN_STEP_PAUSE_MS): the local Workflow engine otherwise runs one step after
 * another without letting the runtime serve anything else, edge requests included (a request waited for
 * the whole of a 15 s retrain of the demo data); a sleep hands control back, and requests are answered
 * between steps. 0 turns the pause off.
 */
export function timedSteps(
  step: WorkflowStep,
  run: string,
  pauseMs: number,
  begin?: (name: string, at: number) => Promise<void>,
  operations?: () => OperationCounts,
) {
  return async <T extends Rpc.Serializable<T>>(name: string, work: () => Promise<T>) => {
    const result = await step.do(name, STEP_CONFIG, async () => {
      const started = Date.now();
      operations?.();
      await begin?.(name, started);
      const result = await work();
      const ms = Date.now() - started;
      console.log(JSON.stringify({ msg: "workflow step", run, step: name, ms, operations: operations?.() }));
      return result;
    });
    if (pauseMs > 0) await step.sleep(`pause after ${name}`, pauseMs);
    return result;
  };
}
