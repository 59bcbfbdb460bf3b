import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { queuedEvent } from "../queued-event";
import { RETRIES_EXHAUSTED, type Rejection } from "../../workers/retrainer/dead-letters";
import worker from "../../workers/retrainer/index";
import { admin } from "./operator";

const queued = (eventId: string, listener = "l_test") => queuedEvent(eventId, { listener });

const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n;

interface DlqView {
  unreplayed: number;
  deadLetters: { messageId: string; queue: string; body: unknown; reason: string; replayedAt: number | null }[];
}

/** A dead-letter batch as the platform delivers it: message ids are those of the dead messages. */
async function deliverDead(queue: string, bodies: Record<string, unknown>) {
  const batch = createMessageBatch(
    queue,
    Object.entries(bodies).map(([id, body]) => ({ id, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe("dead-letter queues", () => {
  beforeEach(async () => {
    await env.DB.batch(["events", "listeners", "dead_letters"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
  });

  it("keep each dead message once, with why it died", async () => {
    const rejection: Rejection = { queue: "setlist-events", reason: "eventId: invalid", body: { eventId: "bad id!" } };
    const dead = { "m-exhausted": queued("a"), "m-rejected": rejection };
    expect(await deliverDead("setlist-events-dlq", dead)).toMatchObject({ ackAll: true, retryMessages: [] });
    await deliverDead("setlist-events-dlq", dead);

    const view = (await (await admin("/dlq")).json()) as DlqView;
    expect(view.unreplayed).toBe(1);
    expect(view.deadLetters.sort((a, b) => a.messageId.localeCompare(b.messageId))).toMatchObject([
      {
        messageId: "m-exhausted",
        queue: "setlist-events",
        reason: RETRIES_EXHAUSTED,
        body: queued("a"),
        replayedAt: null,
      },
      { messageId: "m-rejected", queue: "setlist-events", reason: "eventId: invalid", body: { eventId: "bad id!" } },
    ]);
  });

  it("an invalid message on the events queue is kept with its reason", async () => {
    await env.EVENTS.send({ kind: "event", listener: "l_test", eventId: "bad id!" });
    await vi.waitFor(
      async () => {
        const row = await env.DB.prepare("SELECT queue, reason FROM dead_letters").first<{
          queue: string;
          reason: string;
        }>();
        expect(row?.queue).toBe("setlist-events");
        expect(row?.reason).toContain("eventId");
      },
      { timeout: 30_000, interval: 250 },
    );
  });

  it("replay sends dead events back once and leaves rejections alone", async () => {
    await deliverDead("setlist-events-dlq", {
      "m-1": queued("r1"),
      "m-2": queued("r2"),
      "m-rejected": { queue: "setlist-events", reason: "invalid", body: {} } satisfies Rejection,
    });

    const first = await admin("/dlq/replay?limit=1", { method: "POST" });
    expect(await first.json()).toEqual({ replayed: 1, remaining: 1 });
    expect(await (await admin("/dlq/replay", { method: "POST" })).json()).toEqual({ replayed: 1, remaining: 0 });
    expect(await (await admin("/dlq/replay", { method: "POST" })).json()).toEqual({ replayed: 0, remaining: 0 });

    await vi.waitFor(async () => expect(await count("SELECT count(*) AS n FROM events")).toBe(2), {
      timeout: 30_000,
      interval: 250,
    });
    expect(await count("SELECT count(*) AS n FROM dead_letters WHERE replayed_at IS NOT NULL")).toBe(2);
  });

  it("rejects a bad limit with problem details", async () => {
    const res = await admin("/dlq?limit=0");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe("limit");
  });
});

/**
 * The real queue (batching, retries with backoff, dead-lettering) in front of the real consumer,
 * with D1 failing a share of the consumer's attempts. The fault lives in the test database, not in
 * the worker: a trigger aborts the insert of the listener row, and since every message here is for
 * that one listener, each consumer attempt inserts it exactly once, so each attempt fails with the
 * trigger's probability and rolls back its whole D1 batch.
 */
describe("fault injection", () => {
  const N = 10_000;
  const FAULTY = "l_faulty";

  afterEach(async () => {
    await env.DB.prepare("DROP TRIGGER IF EXISTS inject_faults").run();
  });

  it(`stores exactly N = ${N} events while 10% of consumer attempts fail`, async () => {
    const failedAttempts = vi.spyOn(console, "error");
    await env.DB.prepare(
      `CREATE TRIGGER inject_faults BEFORE INSERT ON listeners
       WHEN NEW.id = '${FAULTY}' AND abs(random()) % 10 = 0
       BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
    ).run();

    for (let i = 0; i < N; i += 100) {
      await env.EVENTS.sendBatch(
        Array.from({ length: 100 }, (_, j) => ({ body: queued(`f-${i + j}`, FAULTY), contentType: "json" as const })),
      );
    }
    const stored = () => count(`SELECT count(*) AS n FROM events WHERE listener_id = '${FAULTY}'`);
    await vi.waitFor(async () => expect(await stored()).toBe(N), { timeout: 110_000, interval: 250 });

    const failures = failedAttempts.mock.calls.filter(([line]) => String(line).includes("injected fault")).length;
    console.log(`N = ${N}; events in D1 = ${await stored()}; failed consumer attempts = ${failures}`);
    expect(await stored()).toBe(N);
    // About 100 first attempts at 10% each: no failure at all would mean the faults were not injected.
    expect(failures).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM dead_letters WHERE body ->> 'listener' = '${FAULTY}'`)).toBe(0);
  }, 120_000);
});
