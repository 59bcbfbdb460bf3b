import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { queuedEvent } from "../queued-event";
import { minuteOf } from "../../shared/analytics/queue-lag";
import worker from "../../workers/retrainer/index";
import type { QueueBacklog } from "../../workers/retrainer/queue-lag";
import { admin } from "./operator";

/** A batch whose messages were sent `waitedMs` ago, as the platform delivers it. */
async function deliver(waitedMs: number[], attempts = 1) {
  const now = Date.now();
  const batch = createMessageBatch(
    "setlist-events",
    waitedMs.map((w, i) => ({
      id: `m-${now}-${i}`,
      timestamp: new Date(now - w),
      attempts,
      body: queuedEvent(`e-${now}-${i}`, { listener: "l_lag" }),
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  expect(await getQueueResult(batch, ctx)).toMatchObject({ retryMessages: [] });
}

describe("the queue backlog operators see", () => {
  beforeEach(async () => {
    await env.DB.prepare("DELETE FROM queue_lag").run();
  });

  it("counts each delivered batch into its minute, with how long its messages waited and which were redelivered", async () => {
    await deliver([2_000, 30_000]);
    await deliver([5_000], 3);
    const answer = await admin("/pipeline?minutes=5");
    expect(answer.status).toBe(200);
    const { queues, to } = (await answer.json()) as { queues: QueueBacklog[]; to: number };
    expect(queues.map((q) => q.queue)).toEqual(["setlist-events"]);
    const minutes = queues[0]!.minutes;
    expect(minutes).toHaveLength(5);
    expect(to).toBe(minuteOf(Date.now()));
    const now = minutes.at(-1)!;
    expect(now).toMatchObject({ batches: 2, messages: 3, retried: 1 });
    // Waits are measured at delivery, a few milliseconds after the batch was made.
    expect(now.maxWaitMs).toBeGreaterThanOrEqual(30_000);
    expect(now.maxWaitMs).toBeLessThan(35_000);
    expect(now.meanWaitMs).toBeGreaterThanOrEqual(Math.round(37_000 / 3));
    expect(minutes.slice(0, -1).every((m) => m.messages === 0)).toBe(true);
  });

  it("refuses a window it does not keep with a problem naming the parameter", async () => {
    const answer = await admin("/pipeline?minutes=100000");
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("minutes");
  });
});
