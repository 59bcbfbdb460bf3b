import {
  LakeErasure,
  QueuedBatch,
  QueueMessage,
  sentBeforeErasure,
  type QueuedEvent,
  type QueuedSessionSummary,
} from "../../shared/api/schemas";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { cutIntoGroups } from "../../shared/util/groups";
import { eventRow, listenerRow, sessionRow } from "../../shared/db/rows";
import { erasureTimes } from "../../shared/db/queries";
import { events, listeners, sessions } from "../../shared/db/schema";
import type { Rejection } from "./dead-letters";
import type { Env } from "./env";
import { exposureStatements } from "./exposures";
import { retryConflicts } from "../../shared/analytics/store";
import { kpiStatements } from "./kpis";
import { eraseFromLake } from "../../shared/lake/objects";
import { batchName } from "../../shared/lake/partitions";
import { r2EventSink } from "./lake-sink";

/** Exponential backoff for a failed write, capped so a retried message still lands within minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(2 ** attempts, 300);
}

/**
 * Messages stored in one D1 batch at most: a session object's batch messages (QueuedBatch) make a queue
 * batch of 100 hold thousands, and the reads and writes for them stay well within D1's 100 KB a
 * statement this way.
 */
export const MESSAGES_PER_WRITE = 500;

/** A queue message and the messages it carries (one, or a session object's batch). */
interface Carried {
  message: Message<unknown>;
  bodies: QueueMessage[];
}

/**
 * Stores a batch of listening events and session summaries. Rows are keyed by (listener, event id)
 * and (listener, session start) and inserted with OR IGNORE, so a redelivered message or a retried
 * request changes nothing. Messages that can never be stored (invalid bodies) go straight to the
 * dead-letter queue instead of burning retries. The queue messages are stored in parts of up to
 * MESSAGES_PER_WRITE messages carried, in order, each part one D1 batch: the KPI rollups are added to in the
 * same batch (./kpis.ts), which is read, computed and written again when a concurrent write beat it. The
 * stored events are then appended to the event lake; a part's queue messages are acked only once both are
 * written, and either failing retries them and the parts after it (both writes are idempotent).
 */
export async function ingestEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const valid: Carried[] = [];
  for (const message of batch.messages) {
    const erasure = LakeErasure.safeParse(message.body);
    if (erasure.success) {
      await continueLakeErasure(env, message, erasure.data);
      continue;
    }
    const carrier = QueuedBatch.safeParse(message.body);
    const single = carrier.success ? null : QueueMessage.safeParse(message.body);
    if (carrier.success) valid.push({ message, bodies: carrier.data.messages });
    else if (single!.success) valid.push({ message, bodies: [single!.data] });
    else {
      const rejection: Rejection = { queue: batch.queue, reason: single!.error.message, body: message.body };
      await env.DEAD_LETTERS.send(rejection);
      message.ack();
    }
  }
  const parts = cutIntoGroups(valid, (c) => c.bodies.length, Infinity, MESSAGES_PER_WRITE);
  for (const [i, part] of parts.entries()) {
    try {
      const messages = part.flatMap((p) => p.bodies);
      const sentAt = part.reduce((latest, { message }) => Math.max(latest, message.timestamp.getTime()), 0);
      const stored = await retryConflicts(() => storeMessages(env.DB, messages, sentAt));
      const name = await batchName(part.map((p) => p.message.id));
      await r2EventSink(env.LAKE, env.DB).append(stored, name);
      for (const { message } of part) message.ack();
    } catch (error) {
      const left = parts.slice(i).flat();
      console.error(
        JSON.stringify({ msg: "event batch write failed; retrying", count: left.length, error: String(error) }),
      );
      for (const { message } of left) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      return;
    }
  }
}

/** One bounded step of a listener's erasure from the lake, sent on while objects are left. */
async function continueLakeErasure(env: Env, message: Message<unknown>, { listener }: LakeErasure): Promise<void> {
  try {
    const { more } = await eraseFromLake(env.LAKE, env.DB, listener);
    if (more) await env.EVENTS.send({ kind: "lake-erasure", listener } satisfies LakeErasure, { contentType: "json" });
    message.ack();
  } catch (error) {
    console.error(JSON.stringify({ msg: "lake erasure step failed; retrying", error: String(error) }));
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  }
}

/** Listeners in this batch who asked to be erased, and when: what they sent before then is dropped. */
const erasedAt = (db: D1Database, messages: QueueMessage[]) =>
  erasureTimes(db, [...new Set(messages.map((m) => m.listener))]);

/**
 * One atomic D1 batch: listeners first seen here, their events, their closed sessions and first exposures,
 * what they add to the KPIs, and how far the consumer has got (the latest queue send time among the
 * messages, `sentAt`). Answers the listening events it kept (those of erased listeners are not).
 */
export async function storeMessages(db: D1Database, messages: QueueMessage[], sentAt: number): Promise<QueuedEvent[]> {
  // A summary arrives when its session closed: experiment results count sessions by this arrival.
  const receivedAt = Date.now();
  const erased = await erasedAt(db, messages);
  const kept = messages.filter((m) => !sentBeforeErasure(m, erased.get(m.listener)));
  const listening = kept.filter((m): m is QueuedEvent => m.kind === "event");
  const summaries = kept.filter((m): m is QueuedSessionSummary => m.kind === "session");
  const firstSeen = new Map<string, QueuedEvent>();
  for (const e of listening) if (!firstSeen.has(e.listener)) firstSeen.set(e.listener, e);
  const statements = [
    ...bulkInsertStatements(
      db,
      listeners,
      [...firstSeen.values()].map((e) => listenerRow(e.listener, e.region, e.receivedAt)),
      "ignore",
    ),
    ...bulkInsertStatements(db, events, listening.map(eventRow), "ignore"),
    ...bulkInsertStatements(
      db,
      sessions,
      summaries.map((s) => sessionRow(s, receivedAt)),
      "ignore",
    ),
    ...exposureStatements(db, kept),
  ];
  if (statements.length === 0) return listening;
  const kpis = await kpiStatements(db, kept, erased);
  await db.batch([kpis.guard, ...statements, ...kpis.rollups, progressStatement(db, sentAt, receivedAt)]);
  return listening;
}

/** How far the consumer has got (ingest_progress), for the session objects' outbox checks: in the batch that stores the messages. */
function progressStatement(db: D1Database, sentAt: number, storedAt: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO ingest_progress (id, sent_at, stored_at) VALUES (1, ?1, ?2)
       ON CONFLICT (id) DO UPDATE SET sent_at = max(sent_at, excluded.sent_at), stored_at = excluded.stored_at`,
    )
    .bind(sentAt, storedAt);
}
