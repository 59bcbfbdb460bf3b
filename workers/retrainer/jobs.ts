import { z } from "zod";
import { COMPONENTS } from "../../shared/model";

const ResumeAt = z.object({ phase: z.number().int(), cursor: z.number().int() });

/**
 * An operator's synthetic training run (see synthetic.ts). The bounds are twice the size asked of the model
 * (100,000 x 50,000 x 5,000,000) in listeners and items, whose ids and per-group item rankings the first job
 * holds beside the drawn plays, and that size in plays, which it draws and splits within a Worker's 128 MB.
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

/** Training and publishing run as a chain of queue jobs so each step stays inside one invocation's limits. */
export const Job = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("train"),
    version: z.string(),
    /** First the holdout twin that judges the version, then the model trained on everything. */
    stage: z.enum(["holdout", "full"]).default("holdout"),
    /** Where the previous job left the trainer; a redelivered job that does not match it is stale. */
    resumeAt: ResumeAt.optional(),
    /** The holdout twin's blend, which the full model reuses instead of tuning its own. */
    blend: z.object({ weights: z.record(z.enum(COMPONENTS), z.number()), exposurePenalty: z.number() }).optional(),
  }),
  /** Parts are numbered in the order partPlan (publish.ts) cuts a version. */
  z.object({ kind: z.literal("publish"), version: z.string(), part: z.string().regex(/^part-[0-9]+$/) }),
  /**
   * A finished trainer, by the key of its state, to delete with its arrays: in a job of its own, since
   * that takes two KV operations an array, a few hundred arrays at scale.
   */
  z.object({ kind: z.literal("discard"), trainer: z.string() }),
  z.object({
    kind: z.literal("synthetic"),
    run: z.string(),
    size: SyntheticTrainingRequest,
    resumeAt: ResumeAt.optional(),
  }),
]);
export type Job = z.input<typeof Job>;
export type TrainJob = Extract<z.output<typeof Job>, { kind: "train" }>;
export type SyntheticJob = Extract<z.output<typeof Job>, { kind: "synthetic" }>;

export async function enqueueJobs(queue: Queue, jobs: Job[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 100) {
    await queue.sendBatch(jobs.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
}
