import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { sentBeforeErasure, type QueueMessage } from "../../shared/api/schemas";
import { deadLettersOf } from "../../shared/db/queries";
import { deadLetters, erasures, events, experimentExposures, ingestProgress, sessions } from "../../shared/db/schema";
import { outboxKey, type ConsumerProgress, type OutboxName } from "../../shared/session/outbox";

/** What names a message in the outbox, as far as a dead letter's body still shows it. */
const ParkedMessage: z.ZodType<OutboxName> = z.union([
  z.object({ kind: z.literal("event"), eventId: z.string() }),
  z.object({ kind: z.literal("session"), startedAt: z.number() }),
  z.object({ kind: z.literal("exposure"), experimentId: z.string() }),
]);

/** A parked batch message (QueuedBatch), as loosely. */
const ParkedBatch = z.object({ kind: z.literal("batch"), messages: z.array(z.unknown()) });

/**
 * The outbox keys (shared/session/outbox.ts) of one listener's `messages` that need no further send:
 * those D1 holds; those the consumer drops by the erasure rule (resending them would never land); and
 * those parked in `dead_letters`, where an operator replays or inspects them (resending what the
 * consumer could not store would only park more copies, for ever). With them, how far the consumer has
 * got (for planDrain). Six reads in one batch, each with at most one JSON parameter, so any number of
 * messages stays within D1's 100 bound parameters.
 */
export async function checkDelivery(
  db: D1Database,
  listener: string,
  messages: QueueMessage[],
): Promise<{ delivered: Set<string>; progress: ConsumerProgress | null }> {
  const eventIds = JSON.stringify(messages.flatMap((m) => (m.kind === "event" ? [m.eventId] : [])));
  const starts = JSON.stringify(messages.flatMap((m) => (m.kind === "session" ? [m.startedAt] : [])));
  const experiments = JSON.stringify(messages.flatMap((m) => (m.kind === "exposure" ? [m.experimentId] : [])));
  const d = drizzle(db);
  const [storedEvents, storedSessions, storedExposures, erased, parked, progress] = await d.batch([
    d
      .select({ eventId: events.eventId })
      .from(events)
      .where(
        and(eq(events.listenerId, listener), sql`${events.eventId} in (select value from json_each(${eventIds}))`),
      ),
    d
      .select({ startedAt: sessions.startedAt })
      .from(sessions)
      .where(
        and(eq(sessions.listenerId, listener), sql`${sessions.startedAt} in (select value from json_each(${starts}))`),
      ),
    d
      .select({ experimentId: experimentExposures.experimentId })
      .from(experimentExposures)
      .where(
        and(
          eq(experimentExposures.listenerId, listener),
          sql`${experimentExposures.experimentId} in (select value from json_each(${experiments}))`,
        ),
      ),
    d.select({ erasedAt: erasures.erasedAt }).from(erasures).where(eq(erasures.listenerId, listener)),
    d.select({ body: deadLetters.body }).from(deadLetters).where(deadLettersOf(listener)),
    d
      .select({ sentAt: ingestProgress.sentAt, storedAt: ingestProgress.storedAt })
      .from(ingestProgress)
      .where(eq(ingestProgress.id, 1)),
  ]);
  const storedIds = new Set(storedEvents.map((e) => e.eventId));
  const storedStarts = new Set(storedSessions.map((s) => s.startedAt));
  const storedExperiments = new Set(storedExposures.map((e) => e.experimentId));
  const erasedAt = erased[0]?.erasedAt;
  // Read loosely: a message the consumer rejected as invalid is parked too, and a batch parks all it carries.
  const parkedKeys = new Set(
    parked.flatMap(({ body }) => {
      const batch = ParkedBatch.safeParse(body);
      return (batch.success ? batch.data.messages : [body]).flatMap((m) => {
        const message = ParkedMessage.safeParse(m);
        return message.success ? [outboxKey(message.data)] : [];
      });
    }),
  );
  const delivered = (m: QueueMessage) =>
    (m.kind === "event"
      ? storedIds.has(m.eventId)
      : m.kind === "session"
        ? storedStarts.has(m.startedAt)
        : storedExperiments.has(m.experimentId)) ||
    sentBeforeErasure(m, erasedAt) ||
    parkedKeys.has(outboxKey(m));
  return { delivered: new Set(messages.filter(delivered).map(outboxKey)), progress: progress[0] ?? null };
}
