import { and, asc, count, desc, eq, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { deadLetters } from "../../shared/db/schema";
import type { Env } from "./env";

export const EVENTS_QUEUE = "setlist-events";

/**
 * The reason kept for a message the platform moved here after its consumer failed every attempt:
 * a transient failure (D1 unavailable, a bug since fixed), so the message is worth replaying. Any
 * other reason is a rejection, which a replay would only repeat.
 */
export const RETRIES_EXHAUSTED = "retries exhausted";

/** What a consumer sends the dead-letter queue when it rejects a message outright; the platform sends bare bodies. */
export const Rejection = z.strictObject({ queue: z.string(), reason: z.string(), body: z.unknown() });
export type Rejection = z.output<typeof Rejection>;

/** Each dead-letter queue is named after the queue it serves. */
const servedQueue = (deadLetterQueue: string) => deadLetterQueue.replace(/-dlq$/, "");

/**
 * Keeps each dead message in D1, keyed by its message id so a redelivered dead-letter batch
 * changes nothing. A failed write throws, and the platform retries the whole batch.
 */
export async function storeDeadLetters(batch: MessageBatch<unknown>, env: Env, now = Date.now()): Promise<void> {
  const rows = batch.messages.map((message) => {
    const rejection = Rejection.safeParse(message.body);
    const { queue, reason, body } = rejection.success
      ? rejection.data
      : { queue: servedQueue(batch.queue), reason: RETRIES_EXHAUSTED, body: message.body };
    // Serialised here so any body, even a bare string, reads back as the JSON it was.
    return { messageId: message.id, queue, reason, body: JSON.stringify(body ?? null), receivedAt: now };
  });
  await env.DB.batch(bulkInsertStatements(env.DB, deadLetters, rows, "ignore"));
  batch.ackAll();
}

/** Dead events that failed only for lack of retries and have not been sent back yet. */
const replayable = and(
  eq(deadLetters.queue, EVENTS_QUEUE),
  eq(deadLetters.reason, RETRIES_EXHAUSTED),
  isNull(deadLetters.replayedAt),
);

export async function listDeadLetters(env: Env, limit: number) {
  const d = drizzle(env.DB);
  const [rows, [unreplayed]] = await Promise.all([
    d.select().from(deadLetters).orderBy(desc(deadLetters.receivedAt), asc(deadLetters.messageId)).limit(limit),
    d.select({ n: count() }).from(deadLetters).where(replayable),
  ]);
  return { unreplayed: unreplayed?.n ?? 0, deadLetters: rows };
}

/**
 * Sends up to `limit` (at most 100: one queue batch) replayable dead events back to the events
 * queue, oldest first, and marks them replayed. They are marked only after the send: if marking
 * fails they are sent again next time, which the consumer absorbs because storing is idempotent.
 */
export async function replayDeadEvents(env: Env, limit: number, now = Date.now()) {
  const d = drizzle(env.DB);
  const rows = await d
    .select({ messageId: deadLetters.messageId, body: deadLetters.body })
    .from(deadLetters)
    .where(replayable)
    .orderBy(asc(deadLetters.receivedAt), asc(deadLetters.messageId))
    .limit(limit);
  if (rows.length > 0) {
    await env.EVENTS.sendBatch(rows.map((r) => ({ body: r.body, contentType: "json" as const })));
    // One JSON parameter for the ids keeps the statement within D1's 100 bound parameters.
    const ids = JSON.stringify(rows.map((r) => r.messageId));
    await d
      .update(deadLetters)
      .set({ replayedAt: now })
      .where(sql`${deadLetters.messageId} in (select value from json_each(${ids}))`);
  }
  const [remaining] = await d.select({ n: count() }).from(deadLetters).where(replayable);
  return { replayed: rows.length, remaining: remaining?.n ?? 0 };
}
