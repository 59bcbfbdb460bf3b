import { bulkInsertStatements, runInBatches } from "../../shared/db/bulk";
import { countRows } from "../../shared/db/queries";
import { eventRow, listenerRow, trackRow } from "../../shared/db/rows";
import { artists, events, listeners, tracks } from "../../shared/db/schema";
import { figures, fromQueued } from "../../shared/analytics/rollup";
import { figureStatements, membershipStatements } from "../../shared/analytics/store";
import type { QueuedEvent } from "../../shared/api/schemas";
import { demoDataAt, type DemoCatalog, type DemoListening } from "../../shared/demo";
import { pseudonymize } from "../../shared/identity";
import type { Env } from "./env";

export interface SeedResult {
  seeded: boolean;
  tracks: number;
  listeners: number;
  events: number;
}

/**
 * Fills an empty database with the generated demo catalog and listening histories. Demo listeners
 * are stored under the same pseudonyms the edge computes, so `demo-1` works in every example.
 */
export async function seedDemoData(env: Env, now = Date.now()): Promise<SeedResult> {
  if ((await countRows(env.DB, tracks)) > 0) {
    return {
      seeded: false,
      tracks: await countRows(env.DB, tracks),
      listeners: await countRows(env.DB, listeners),
      events: await countRows(env.DB, events),
    };
  }
  const { catalog, listening: demo } = demoDataAt(now);
  const pseudonyms = new Map<string, string>();
  for (const l of demo.listeners) pseudonyms.set(l.id, await pseudonymize(env.LISTENER_ID_KEY, l.id));

  await runInBatches(
    env.DB,
    demoStatements(env.DB, catalog, demo, (id) => pseudonyms.get(id)!),
  );
  return { seeded: true, tracks: catalog.tracks.length, listeners: demo.listeners.length, events: demo.events.length };
}

/** The statements that write demo data: the catalog, and listeners with their events under `listenerId(raw)`. */
export function demoStatements(
  db: D1Database,
  catalog: DemoCatalog,
  demo: DemoListening,
  listenerId: (rawId: string) => string,
): D1PreparedStatement[] {
  const queued = demo.events.map((e): QueuedEvent => ({
    kind: "event",
    listener: listenerId(e.listenerId),
    eventId: e.id,
    trackId: e.trackId,
    type: e.type,
    target: null,
    clientTs: e.timestamp,
    receivedAt: e.timestamp,
    positionMs: e.positionMs,
    msPlayed: null,
    device: e.device,
    context: e.context ?? null,
    region: null,
  }));
  return [
    ...bulkInsertStatements(db, artists, catalog.artists, "ignore"),
    ...bulkInsertStatements(db, tracks, catalog.tracks.map(trackRow), "ignore"),
    ...bulkInsertStatements(
      db,
      listeners,
      demo.listeners.map((l) => listenerRow(listenerId(l.id), l.region, l.createdAt)),
      "ignore",
    ),
    ...bulkInsertStatements(db, events, queued.map(eventRow), "ignore"),
    ...seededKpis(db, catalog, new Map(demo.listeners.map((l) => [listenerId(l.id), l.region])), queued),
  ];
}

/**
 * What the demo histories add to the KPIs, as the consumer would have added it event by event (the
 * database is empty, so nothing came before): erasure and consent changes subtract what raw events
 * added, so events stored without their figures would leave negative counts behind.
 */
function seededKpis(
  db: D1Database,
  catalog: DemoCatalog,
  regionOf: ReadonlyMap<string, string | null>,
  queued: readonly QueuedEvent[],
): D1PreparedStatement[] {
  const trackOf = new Map(
    catalog.tracks.map((t) => [t.id, { artistId: t.artistId, durationMs: t.features.durationMs }]),
  );
  const byListener = Map.groupBy(queued, (e) => e.listener);
  return [...byListener].flatMap(([listener, mine]) => {
    const seen = mine.map((e) => fromQueued(e, regionOf.get(listener) ?? null, trackOf.get(e.trackId)));
    return [
      ...figureStatements(db, figures(seen, { lastPlayedAt: new Map(), artists: new Set() }), [], 1),
      ...membershipStatements(db, seen),
    ];
  });
}
