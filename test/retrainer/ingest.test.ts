import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../workers/retrainer/index";
import { MESSAGES_PER_WRITE, retryDelaySeconds } from "../../workers/retrainer/ingest";
import { beforeEach, describe, expect, it } from "vitest";
import type { QueuedEvent } from "../../shared/api/schemas";
import { queuedEvent } from "../queued-event";

const queued = (eventId: string, over: Partial<QueuedEvent> = {}) =>
  queuedEvent(eventId, { type: "complete", msPlayed: 200_000, device: "phone", region: "SE", ...over });

async function deliver(bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    "setlist-events",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

const storedEvents = async () => (await env.DB.prepare("SELECT count(*) AS n FROM events").first<{ n: number }>())!.n;

describe("event consumer", () => {
  beforeEach(async () => {
    await env.DB.batch(["events", "listeners", "erasures"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
  });

  it("stores a batch and acks every message", async () => {
    const result = await deliver([queued("a"), queued("b"), queued("c", { listener: "l_other" })]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    expect(await storedEvents()).toBe(3);
    const listeners = await env.DB.prepare("SELECT id, region FROM listeners ORDER BY id").all();
    expect(listeners.results).toEqual([
      { id: "l_other", region: "SE" },
      { id: "l_test", region: "SE" },
    ]);
  });

  it("stamps a closed session's summary with when it reached D1, the service's clock", async () => {
    await env.DB.prepare("DELETE FROM sessions").run();
    const summary = { kind: "session", listener: "l_test", startedAt: 1_700_000_000_000, endedAt: 1_700_000_600_000 };
    const before = Date.now();
    await deliver([{ ...summary, lengthMs: 600_000, tracksPlayed: 3, skips: 1, completions: 2 }]);
    const row = await env.DB.prepare("SELECT started_at, received_at FROM sessions").first<{ received_at: number }>();
    expect(row).toMatchObject({ started_at: summary.startedAt });
    // Stored now, not at the session's (client) end years ago.
    expect(row!.received_at).toBeGreaterThanOrEqual(before);
    expect(row!.received_at).toBeLessThanOrEqual(Date.now());
  });

  it("a redelivered batch and duplicated messages change nothing", async () => {
    await deliver([queued("a"), queued("b")]);
    await deliver([queued("a"), queued("b"), queued("b")], 2);
    expect(await storedEvents()).toBe(2);
    const row = await env.DB.prepare("SELECT * FROM events WHERE event_id = 'a'").first();
    expect(row).toMatchObject({
      listener_id: "l_test",
      track_id: "trk-00001",
      type: "complete",
      ms_played: 200_000,
      device: "phone",
    });
  });

  it("drops events of an erased listener that were still in the queue, keeps what came after", async () => {
    await env.DB.prepare("INSERT INTO erasures (listener_id, erased_at) VALUES ('l_test', 1800000001000)").run();
    const result = await deliver([
      queued("before-erasure", { receivedAt: 1_800_000_000_500 }),
      queued("after-erasure", { receivedAt: 1_800_000_002_000 }),
      queued("someone-else", { listener: "l_other" }),
    ]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    const stored = await env.DB.prepare("SELECT event_id FROM events ORDER BY event_id").all();
    expect(stored.results).toEqual([{ event_id: "after-erasure" }, { event_id: "someone-else" }]);
  });

  it("invalid messages are acked into the dead-letter queue, valid ones still stored", async () => {
    const result = await deliver([queued("a"), { listener: "l_test", eventId: "bad id!" }]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(result.retryMessages).toEqual([]);
    expect(await storedEvents()).toBe(1);
  });

  it("stores what batch messages carry, in parts of MESSAGES_PER_WRITE, each event once however delivered", async () => {
    const carried = (from: number, count: number, listener = "l_test") => ({
      kind: "batch",
      listener,
      messages: Array.from({ length: count }, (_, i) => queued(`b-${listener}-${from + i}`, { listener })),
    });
    // More than one part: 700 + 300 + 2 messages carried, a part cut between the queue messages.
    const result = await deliver([carried(0, 700), carried(700, 300, "l_other"), queued("single")]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    expect(MESSAGES_PER_WRITE).toBeLessThan(1000);
    expect(await storedEvents()).toBe(1001);
    // Redelivered, overlapping: nothing more.
    await deliver([carried(600, 100), carried(0, 700)], 2);
    expect(await storedEvents()).toBe(1001);
  });

  it("a batch message carrying another listener's messages is dead-lettered whole", async () => {
    const result = await deliver([
      { kind: "batch", listener: "l_test", messages: [queued("x", { listener: "l_other" })] },
    ]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await storedEvents()).toBe(0);
  });

  // Last in the file: it breaks the table.
  it("a failing write is retried with backoff, not acked", async () => {
    await env.DB.exec("DROP TABLE events");
    const result = await deliver([queued("a")], 3);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect([1, 3, 20].map(retryDelaySeconds)).toEqual([2, 8, 300]);
  });
});
