import { lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { eventCounts } from "../../shared/db/queries";
import { eventRollups, events } from "../../shared/db/schema";
import type { Env } from "./env";

const DAY_MS = 24 * 3600 * 1000;

const excluded = (column: string) => sql.raw(`excluded.${column}`);

/** Upsert clause that adds new counts to a (listener, track) rollup instead of replacing them. */
export const accumulateRollups = {
  target: [eventRollups.listenerId, eventRollups.trackId],
  set: {
    plays: sql`${eventRollups.plays} + ${excluded("plays")}`,
    completes: sql`${eventRollups.completes} + ${excluded("completes")}`,
    skips: sql`${eventRollups.skips} + ${excluded("skips")}`,
    likes: sql`${eventRollups.likes} + ${excluded("likes")}`,
    dislikes: sql`${eventRollups.dislikes} + ${excluded("dislikes")}`,
    repeats: sql`${eventRollups.repeats} + ${excluded("repeats")}`,
    adds: sql`${eventRollups.adds} + ${excluded("adds")}`,
    lastTs: sql`max(${eventRollups.lastTs}, ${excluded("last_ts")})`,
  },
};

/**
 * Raw events older than the retention window are folded into per-(listener, track) counts, which
 * is all the model needs from them, and deleted. Fold and delete run in one D1 batch, so an event
 * is never counted twice or lost; a second run finds nothing left to do.
 */
export async function applyRetention(env: Env, now = Date.now()): Promise<{ cutoff: number; folded: number }> {
  const cutoff = now - Number(env.EVENT_RETENTION_DAYS) * DAY_MS;
  const d = drizzle(env.DB);
  const old = lt(events.clientTs, cutoff);
  const [, deleted] = await d.batch([
    d
      .insert(eventRollups)
      .select(d.select(eventCounts).from(events).where(old).groupBy(events.listenerId, events.trackId))
      .onConflictDoUpdate(accumulateRollups),
    d.delete(events).where(old).returning({ id: events.eventId }),
  ]);
  return { cutoff, folded: deleted.length };
}
