import type { QueuedEvent, QueuedSessionSummary, QueueMessage } from "../../shared/api/schemas";
import { added, fromQueued, type Before, type RollupEvent } from "../../shared/analytics/rollup";
import { UNKNOWN } from "../../shared/analytics/slice";
import {
  bump,
  counts,
  figureStatements,
  guard,
  membershipStatements,
  readListeners,
  type ListenerRead,
} from "../../shared/analytics/store";

/**
 * The KPI part of the consumer's batch for the messages it keeps (shared/analytics/store.ts says why
 * it is exact): `guard` goes first in the batch, before the inserts of events and sessions, and
 * `rollups` after them. `erased` is the erasure the consumer read when it chose what to keep: the
 * guard fails the batch if it changed since.
 */
export async function kpiStatements(
  db: D1Database,
  kept: readonly QueueMessage[],
  erased: ReadonlyMap<string, number>,
): Promise<{ guard: D1PreparedStatement; rollups: D1PreparedStatement[] }> {
  const byListener = new Map<string, { events: QueuedEvent[]; sessions: QueuedSessionSummary[] }>();
  for (const m of kept) {
    // A first exposure adds nothing to the KPIs (experiments read it on their own).
    if (m.kind === "exposure") continue;
    const mine = byListener.get(m.listener) ?? { events: [], sessions: [] };
    byListener.set(m.listener, mine);
    if (m.kind === "event") mine.events.push(m);
    else mine.sessions.push(m);
  }
  const reads = await readListeners(
    db,
    [...byListener].map(([listenerId, { events, sessions }]) => ({
      listenerId,
      events: events.map((e) => ({ eventId: e.eventId, at: e.clientTs, trackId: e.trackId })),
      sessionStarts: sessions.map((s) => s.startedAt),
    })),
  );
  const rollups = [...byListener].flatMap(([listenerId, mine]) => {
    const read = reads.get(listenerId)!;
    return counts(read) ? addedBy(db, read, mine) : [];
  });
  return {
    guard: guard(db, [...reads.values()], (r) => erased.get(r.listenerId) ?? null),
    rollups: [...rollups, bump(db, [...byListener.keys()])],
  };
}

/** What the batch adds for one listener: only what its inserts store for the first time (as OR IGNORE keeps the first). */
function addedBy(
  db: D1Database,
  read: ListenerRead,
  mine: { events: QueuedEvent[]; sessions: QueuedSessionSummary[] },
): D1PreparedStatement[] {
  // A listener first seen in this batch gets the region of their first event here (ingest's listener row).
  const region = read.consent === null ? (mine.events[0]?.region ?? null) : read.region;
  const seen = new Set(read.storedEventIds);
  const fresh: { event: RollupEvent; before: Before }[] = [];
  for (const e of mine.events) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    fresh.push({ event: fromQueued(e, region, read.tracks.get(e.trackId)), before: read.before.get(e.eventId)! });
  }
  const affected = read.affected.map((a) => ({ ...a, event: { ...a.event, region } }));
  const starts = new Set(read.sessions.map((s) => s.startedAt));
  const sessions = mine.sessions.filter((s) => !starts.has(s.startedAt) && starts.add(s.startedAt));
  return [
    ...figureStatements(
      db,
      added(fresh, affected),
      sessions.map((s) => ({ startedAt: s.startedAt, lengthMs: s.lengthMs, region: region ?? UNKNOWN })),
      1,
    ),
    ...membershipStatements(
      db,
      fresh.map((f) => f.event),
    ),
  ];
}
