import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { QueuedExposure } from "../../shared/api/schemas";
import worker from "../../workers/retrainer/index";

const exposure = (listener: string, exposedAt: number, variant = "popular"): QueuedExposure => ({
  kind: "exposure",
  listener,
  experimentId: "x0000abcd",
  variant,
  exposedAt,
});

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "setlist-events",
    bodies.map((body, i) => ({ id: `m${i}-${Math.random()}`, timestamp: new Date(), attempts: 1, body })),
  );
  await worker.queue(batch, env);
  return getQueueResult(batch, createExecutionContext());
}

const stored = async () =>
  (
    await env.DB.prepare(
      "SELECT listener_id AS listener, variant, exposed_at AS exposedAt FROM experiment_exposures ORDER BY listener_id",
    ).all()
  ).results;

describe("exposure consumer", () => {
  it("keeps the first exposure of each listener, whatever is redelivered, and none sent before an erasure", async () => {
    await env.DB.prepare("INSERT INTO erasures (listener_id, erased_at) VALUES ('l_erased', 2000)").run();
    const result = await deliver([exposure("l_one", 1000), exposure("l_erased", 1500), exposure("l_two", 1200)]);
    expect(result.explicitAcks).toHaveLength(3);
    // Resent by the outbox (a copy), or redelivered by the queue: the first serving time stays.
    await deliver([exposure("l_one", 1000), exposure("l_one", 5000, "model")]);
    expect(await stored()).toEqual([
      { listener: "l_one", variant: "popular", exposedAt: 1000 },
      { listener: "l_two", variant: "popular", exposedAt: 1200 },
    ]);
  });

  it("parks a malformed exposure in the dead-letter queue rather than retrying it", async () => {
    const result = await deliver([{ ...exposure("l_bad", 1), experimentId: "not an id" }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await stored()).not.toContainEqual(expect.objectContaining({ listener: "l_bad" }));
  });
});
