import { MAX_BATCHED_MESSAGES } from "../api/schemas";
import { cutIntoGroups } from "../util/groups";

/**
 * The pure rules of the session object's transactional outbox (workers/edge/session.ts): a message an
 * object accepted is kept in its storage until D1 is seen to hold it, and sent again until then. The
 * queue's `send` resolving only means the queue took it (locally, into memory that a kill loses), so
 * only the consumer's stored rows confirm a delivery. Resending is safe: the consumer is idempotent.
 */

export interface OutboxRow {
  key: string;
  /** The message as JSON, as stored and sent. */
  body: string;
  /** How many times it has been sent. */
  attempts: number;
  /** When it was last sent (null: never), to compare with how far the consumer has got. */
  sentAt: number | null;
  /** When the object next acts on it: sends it (never sent yet) or checks D1 for it and resends. */
  dueAt: number;
}

export interface DeliveryPolicy {
  /** The first check after a send: the consumer's batch window (2 s) and its write, with room to spare. */
  confirmAfterMs: number;
  /** Doubling per resend stops here: a message waits out a D1 outage in the queue's own retries meanwhile. */
  maxDelayMs: number;
  /**
   * The queue's limits: a message up to 128 KB, a sendBatch up to 100 messages and 256 KB (here counted on
   * the bodies, with room for the rest).
   */
  maxMessageBytes: number;
  maxBatchMessages: number;
  maxBatchBytes: number;
  /** Rows one alarm handles; the object wakes again at once for the rest. */
  rowsPerDrain: number;
  /**
   * Checks fall due on a grid of this step, so the rows of a listener's requests a moment apart are checked
   * by one alarm and one read of D1, not one each.
   */
  checkGridMs: number;
}

export const DELIVERY_POLICY: DeliveryPolicy = {
  confirmAfterMs: 10_000,
  maxDelayMs: 15 * 60_000,
  maxMessageBytes: 120 * 1024,
  maxBatchMessages: 100,
  maxBatchBytes: 240 * 1024,
  rowsPerDrain: 500,
  checkGridMs: 5_000,
};

/**
 * What names a message in the outbox, as the consumer keys it in D1: an event by its id, a session
 * summary by its start, an exposure by its experiment (one per listener).
 */
export type OutboxName =
  | { kind: "event"; eventId: string }
  | { kind: "session"; startedAt: number }
  | { kind: "exposure"; experimentId: string };

export function outboxKey(message: OutboxName): string {
  if (message.kind === "event") return `event:${message.eventId}`;
  return message.kind === "session" ? `session:${message.startedAt}` : `exposure:${message.experimentId}`;
}

/** How long after its `attempts`-th send a message is checked for (and, if missing, sent again). */
export function confirmDelayMs(attempts: number, policy: DeliveryPolicy = DELIVERY_POLICY): number {
  return Math.min(policy.confirmAfterMs * 2 ** Math.max(0, attempts - 1), policy.maxDelayMs);
}

/** When a message sent at `sentAt` for the `attempts`-th time is checked for: its delay, then the grid's next step. */
export function checkDueAt(sentAt: number, attempts: number, policy: DeliveryPolicy = DELIVERY_POLICY): number {
  const at = sentAt + confirmDelayMs(attempts, policy);
  return Math.ceil(at / policy.checkGridMs) * policy.checkGridMs;
}

/** How far the events consumer has got (ingest_progress in D1), as a check reads it with the rows. */
export interface ConsumerProgress {
  /** The latest time a message it stored was sent to the queue. */
  sentAt: number;
  /** When it last stored a batch. */
  storedAt: number;
}

/**
 * What one drain does with the rows due: a row never sent is sent; a sent row D1 holds (`delivered`)
 * is cleared; a row the consumer has not reached yet (it was last sent after the latest message the
 * consumer stored was sent, and the consumer stored a batch within the first check's delay) waits for
 * another check, neither sent nor counted; any other is sent again. Every row sent is due again for
 * its check. Without the wait, a consumer behind by more than the check's delay got each message
 * again, and again at each check, so the more it lagged the more it was sent (bench:ingest: more
 * resends than events accepted, and ingest stalled). The comparison is by send time, not by arrival:
 * messages a kill lost from the queue are passed as soon as the consumer stores anything sent after
 * them (a resend included), so each is sent again at its next check, where waiting for the consumer to
 * go quiet would let every stored resend hold all the others back by another check.
 */
export function planDrain<Row extends OutboxRow>(
  due: readonly Row[],
  delivered: ReadonlySet<string>,
  now: number,
  progress: ConsumerProgress | null = null,
  policy: DeliveryPolicy = DELIVERY_POLICY,
): { clear: string[]; wait: Row[]; send: Row[] } {
  const clear = due.filter((row) => row.attempts > 0 && delivered.has(row.key)).map((row) => row.key);
  const cleared = new Set(clear);
  const notReached = (row: Row) =>
    row.sentAt !== null &&
    progress !== null &&
    row.sentAt > progress.sentAt &&
    now - progress.storedAt < policy.confirmAfterMs;
  const open = due.filter((row) => !cleared.has(row.key));
  const wait = open.filter(notReached).map((row) => ({ ...row, dueAt: checkDueAt(now, 1, policy) }));
  const send = open
    .filter((row) => !notReached(row))
    .map((row) => ({
      ...row,
      attempts: row.attempts + 1,
      sentAt: now,
      dueAt: checkDueAt(now, row.attempts + 1, policy),
    }));
  return { clear, wait, send };
}

const bytes = (text: string) => new TextEncoder().encode(text).length;

/** Room a batch message takes besides its messages' bodies: its kind, the listener, the brackets and commas. */
const BATCH_OVERHEAD_BYTES = 256;

/**
 * What one drain sends, in order: its rows (one listener's) carried many to a queue message (a
 * `QueuedBatch`, shared/api/schemas.ts), each within a message's size and MAX_BATCHED_MESSAGES rows,
 * and those messages cut into sendBatch calls within the queue's limits: sendBatch calls, of messages,
 * of rows.
 */
export function sendBatches<T extends Pick<OutboxRow, "body">>(
  rows: readonly T[],
  policy: DeliveryPolicy = DELIVERY_POLICY,
): T[][][] {
  const rowBytes = (row: T) => bytes(row.body) + 1;
  const messages = cutIntoGroups(rows, rowBytes, MAX_BATCHED_MESSAGES, policy.maxMessageBytes - BATCH_OVERHEAD_BYTES);
  const messageBytes = (message: T[]) => message.reduce((sum, row) => sum + rowBytes(row), BATCH_OVERHEAD_BYTES);
  return cutIntoGroups(messages, messageBytes, policy.maxBatchMessages, policy.maxBatchBytes);
}

/** An object has one alarm, so it is set for the earliest of its schedules (null: none). */
export function nextAlarm(...times: (number | null)[]): number | null {
  const set = times.filter((t): t is number => t !== null);
  return set.length > 0 ? Math.min(...set) : null;
}
