import { z } from "zod";

/** Training and publishing run as a chain of queue jobs so each step stays inside one invocation's limits. */
export const Job = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("train"), version: z.string() }),
  z.object({ kind: z.literal("publish"), version: z.string(), part: z.string() }),
]);
export type Job = z.output<typeof Job>;

export async function enqueueJobs(queue: Queue, jobs: Job[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 100) {
    await queue.sendBatch(jobs.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
}
