import { z } from "zod";
import { COMPONENTS } from "../../shared/model";

/** Training and publishing run as a chain of queue jobs so each step stays inside one invocation's limits. */
export const Job = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("train"),
    version: z.string(),
    /** First the holdout twin that judges the version, then the model trained on everything. */
    stage: z.enum(["holdout", "full"]).default("holdout"),
    /** Where the previous job left the trainer; a redelivered job that does not match it is stale. */
    resumeAt: z.object({ phase: z.number().int(), cursor: z.number().int() }).optional(),
    /** The holdout twin's blend, which the full model reuses instead of tuning its own. */
    blend: z.object({ weights: z.record(z.enum(COMPONENTS), z.number()), exposurePenalty: z.number() }).optional(),
  }),
  z.object({ kind: z.literal("publish"), version: z.string(), part: z.string() }),
]);
export type Job = z.input<typeof Job>;
export type TrainJob = Extract<z.output<typeof Job>, { kind: "train" }>;

export async function enqueueJobs(queue: Queue, jobs: Job[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 100) {
    await queue.sendBatch(jobs.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
}
