import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { sentBeforeErasure, type QueueMessage } from "../../shared/api/schemas";
import { erasures, events, sessions } from "../../shared/db/schema";
import { outboxKey } from "../../shared/session/outbox";

/**
 * The outbox keys (shared/session/outbox.ts) of one listener's `messages` that need no further send:
 * those D1 holds, and those the consumer drops by the erasure rule (resending them would never land).
 * Three reads in one batch, each with one JSON parameter, so any number of messages stays within
 * D1's 100 bound parameters.
 */
export async function deliveredKeys(db: D1Database, listener: string, messages: QueueMessage[]): Promise<Set<string>> {
  const eventIds = JSON.stringify(messages.flatMap((m) => (m.kind === "event" ? [m.eventId] : [])));
  const starts = JSON.stringify(messages.flatMap((m) => (m.kind === "session" ? [m.startedAt] : [])));
  const d = drizzle(db);
  const [storedEvents, storedSessions, erased] = await d.batch([
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
    d.select({ erasedAt: erasures.erasedAt }).from(erasures).where(eq(erasures.listenerId, listener)),
  ]);
  const storedIds = new Set(storedEvents.map((e) => e.eventId));
  const storedStarts = new Set(storedSessions.map((s) => s.startedAt));
  const erasedAt = erased[0]?.erasedAt;
  const delivered = (m: QueueMessage) =>
    (m.kind === "event" ? storedIds.has(m.eventId) : storedStarts.has(m.startedAt)) || sentBeforeErasure(m, erasedAt);
  return new Set(messages.filter(delivered).map(outboxKey));
}
