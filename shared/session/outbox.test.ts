import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { QueueMessage } from "../api/schemas";
import {
  checkDueAt,
  confirmDelayMs,
  DELIVERY_POLICY,
  nextAlarm,
  outboxKey,
  planDrain,
  sendBatches,
  type OutboxRow,
} from "./outbox";

const row = (key: string, attempts: number, dueAt = 0, body = "{}", sentAt: number | null = null): OutboxRow => ({
  key,
  body,
  attempts,
  dueAt,
  sentAt,
});

describe("the outbox's drain plan", () => {
  it("sends new rows, clears delivered ones and resends the rest, each due again for its check", () => {
    const now = 1_000_000;
    const plan = planDrain([row("new", 0), row("stored", 1), row("lost", 2)], new Set(["stored", "new"]), now);
    // A row never sent is sent even if D1 happens to hold an event of that id: only a check after a send clears.
    expect(plan.clear).toEqual(["stored"]);
    expect(plan.send).toEqual([
      row("new", 1, now + confirmDelayMs(1), "{}", now),
      row("lost", 3, now + confirmDelayMs(3), "{}", now),
    ]);
  });

  it("lets a message the consumer has not reached wait, unsent and uncounted, while the consumer is storing", () => {
    const now = 1_000_000;
    const rows = [row("queued", 1, 0, "{}", 900), row("passed", 1, 0, "{}", 400), row("untimed", 1)];
    const behind = planDrain(rows, new Set(), now, { sentAt: 500, storedAt: now - 1000 });
    expect(behind.wait).toEqual([{ ...rows[0], dueAt: now + DELIVERY_POLICY.confirmAfterMs }]);
    expect(behind.send.map((r) => [r.key, r.attempts])).toEqual([
      ["passed", 2],
      ["untimed", 2],
    ]);
    // A consumer that stored nothing for longer than the check's delay may have lost the queue's copy.
    const idle = planDrain(rows, new Set(), now, { sentAt: 500, storedAt: now - DELIVERY_POLICY.confirmAfterMs });
    expect(idle.wait).toEqual([]);
    expect(idle.send).toHaveLength(3);
  });

  it("sends again, at their next check, messages a kill lost, once the consumer stores a resend of any of them", () => {
    // Three objects' messages, sent at 100, 200 and 300 and lost from the queue; the consumer stored what
    // was sent up to 50. At 20,000 the first object resends; the consumer stores that resend at 20,100.
    const lost = [row("a", 1, 20_000, "{}", 100), row("b", 1, 20_000, "{}", 200), row("c", 1, 20_000, "{}", 300)];
    const [a, ...others] = lost;
    expect(planDrain([a!], new Set(), 20_000, { sentAt: 50, storedAt: 0 }).send).toHaveLength(1);
    // The consumer has passed the others' sends, though it is busy: they are not held back by its activity.
    const progress = { sentAt: 20_000, storedAt: 20_100 };
    expect(planDrain(others, new Set(), 20_200, progress).send.map((r) => r.key)).toEqual(["b", "c"]);
  });

  it("never drops a row: each is cleared as delivered or sent again", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ key: fc.string(), attempts: fc.nat(40) }), { selector: (r) => r.key }),
        fc.func(fc.boolean()),
        (rows, stored) => {
          const due = rows.map((r) => row(r.key, r.attempts, 0, "{}", r.attempts > 0 ? r.attempts : null));
          const delivered = new Set(due.filter((r) => stored(r.key)).map((r) => r.key));
          const { clear, wait, send } = planDrain(due, delivered, 0, { sentAt: 5, storedAt: 0 });
          expect([...clear, ...wait.map((r) => r.key), ...send.map((r) => r.key)].sort()).toEqual(
            due.map((r) => r.key).sort(),
          );
          for (const key of clear) expect(delivered.has(key)).toBe(true);
        },
      ),
    );
  });

  it("checks the rows sent within one step of the grid together, never before their delay", () => {
    const grid = DELIVERY_POLICY.checkGridMs;
    const sends = [1, 2, grid / 2, grid].map((offset) => 7 * grid + offset);
    expect(new Set(sends.map((at) => checkDueAt(at, 1))).size).toBe(1);
    for (const at of sends) expect(checkDueAt(at, 1) - at).toBeGreaterThanOrEqual(confirmDelayMs(1));
    expect(checkDueAt(8 * grid + 1, 1)).toBe(checkDueAt(7 * grid + 1, 1) + grid);
  });

  it("backs off by doubling from the first check up to the cap", () => {
    expect([1, 2, 3].map((n) => confirmDelayMs(n))).toEqual([10_000, 20_000, 40_000]);
    expect(confirmDelayMs(60)).toBe(DELIVERY_POLICY.maxDelayMs);
  });
});

describe("send batches", () => {
  it("carry the rows in order, nothing left out, each message and each sendBatch within the queue's limits", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(30_000), { maxLength: 400 }), (sizes) => {
        const rows = sizes.map((n, i) => row(`k${i}`, 0, 0, "x".repeat(n)));
        const batches = sendBatches(rows);
        expect(batches.flat(2)).toEqual(rows);
        const bytes = (message: OutboxRow[]) => message.reduce((sum, r) => sum + r.body.length + 1, 256);
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(DELIVERY_POLICY.maxBatchMessages);
          expect(batch.reduce((sum, m) => sum + bytes(m), 0)).toBeLessThanOrEqual(DELIVERY_POLICY.maxBatchBytes);
          for (const message of batch) {
            expect(message.length).toBeGreaterThan(0);
            expect(bytes(message)).toBeLessThanOrEqual(DELIVERY_POLICY.maxMessageBytes);
          }
        }
      }),
    );
  });

  it("carry a drain's 500 small messages in one queue message", () => {
    const batches = sendBatches(Array.from({ length: 500 }, (_, i) => row(`k${i}`, 0)));
    expect(batches.map((b) => b.map((m) => m.length))).toEqual([[500]]);
  });
});

describe("keys and the alarm", () => {
  it("key messages as the consumer stores them", () => {
    const summary = { kind: "session", listener: "p", startedAt: 5 } as QueueMessage;
    const event = { kind: "event", listener: "p", eventId: "e-1" } as QueueMessage;
    expect([outboxKey(event), outboxKey(summary)]).toEqual(["event:e-1", "session:5"]);
  });

  it("wake at the earliest schedule, or not at all", () => {
    expect(nextAlarm(30, null, 10)).toBe(10);
    expect(nextAlarm(null, null)).toBeNull();
  });
});
