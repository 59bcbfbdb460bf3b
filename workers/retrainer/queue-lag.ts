import { asc, gte, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { batchLag, LAG_MINUTE_MS, lagSeries, minuteOf, type LagMinute } from "../../shared/analytics/queue-lag";
import { queueLag } from "../../shared/db/schema";

/** Minutes of queue lag kept: a week, enough to see the backlog of the last incident. */
export const QUEUE_LAG_KEPT_MS = 7 * 24 * 60 * LAG_MINUTE_MS;

const excluded = (column: string) => sql.raw(`excluded.${column}`);

/**
 * Adds a delivered batch to its queue's minute. Called after the batch was handled, so a batch that
 * failed and is redelivered counts again: that is a delivery the consumer made, and `retried` tells.
 */
export async function recordBatchLag(db: D1Database, batch: MessageBatch<unknown>, now = Date.now()): Promise<void> {
  if (batch.messages.length === 0) return;
  const lag = batchLag(batch.messages, now);
  await drizzle(db)
    .insert(queueLag)
    .values({ queue: batch.queue, batches: 1, ...lag })
    .onConflictDoUpdate({
      target: [queueLag.queue, queueLag.minute],
      set: {
        batches: sql`${queueLag.batches} + 1`,
        messages: sql`${queueLag.messages} + ${excluded("messages")}`,
        retried: sql`${queueLag.retried} + ${excluded("retried")}`,
        maxWaitMs: sql`max(${queueLag.maxWaitMs}, ${excluded("max_wait_ms")})`,
        totalWaitMs: sql`${queueLag.totalWaitMs} + ${excluded("total_wait_ms")}`,
      },
    });
}

export interface QueueBacklog {
  queue: string;
  minutes: LagMinute[];
}

/** Each queue's last `minutes` minutes, oldest first, for GET /admin/pipeline. */
export async function readQueueLag(db: D1Database, minutes: number, now = Date.now()) {
  const to = minuteOf(now);
  const from = to - (minutes - 1) * LAG_MINUTE_MS;
  const rows = await drizzle(db)
    .select()
    .from(queueLag)
    .where(gte(queueLag.minute, from))
    .orderBy(asc(queueLag.queue), asc(queueLag.minute));
  const queues = [...new Set(rows.map((r) => r.queue))];
  const backlog: QueueBacklog[] = queues.map((queue) => ({
    queue,
    minutes: lagSeries(
      rows.filter((r) => r.queue === queue),
      from,
      to,
    ),
  }));
  return { from, to, queues: backlog };
}

/** Drops minutes older than QUEUE_LAG_KEPT_MS (the retention cron). */
export async function pruneQueueLag(db: D1Database, now = Date.now()): Promise<void> {
  await drizzle(db)
    .delete(queueLag)
    .where(lt(queueLag.minute, now - QUEUE_LAG_KEPT_MS));
}
