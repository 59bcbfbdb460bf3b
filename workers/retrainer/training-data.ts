import { drizzle } from "drizzle-orm/d1";
import { sql } from "drizzle-orm";
import { contentTags, featureVector } from "../../shared/catalog/features";
import { trackFromRow } from "../../shared/db/rows";
import { eventRollups, events, listeners, tracks } from "../../shared/db/schema";
import { eventCounts } from "../../shared/db/queries";
import { evidenceWeight, type EventCounts } from "../../shared/model/evidence";

import type { Interaction, TrainingData } from "../../shared/model/types";
import type { Track } from "../../shared/catalog/types";

const COUNT_FIELDS = ["plays", "completes", "skips", "likes", "dislikes", "repeats", "adds"] as const;
type Evidence = EventCounts & { listenerId: string; trackId: string; lastTs: number; events: number };

export interface TrainingSet {
  data: TrainingData;
  tracks: Track[];
  /** Training listeners per track, the basis of popularity. */
  listenersPerTrack: Int32Array;
  /** Each listener's tracks, most recent first. */
  history: number[][];
  eventCount: number;
}

/** The ids behind a model's indices: listener l is listeners[l], item i is items[i]. */
export interface ModelIndex {
  listeners: string[];
  items: string[];
}

/**
 * Reads the catalog and every listener's evidence per track from D1 in the model's index space: a new
 * one, or `index`, the one a model was trained in (listeners and tracks that arrived since are left out).
 */
export async function loadTrainingSet(db: D1Database, index?: ModelIndex): Promise<TrainingSet> {
  const d = drizzle(db);
  const allTracks = (await d.select().from(tracks).orderBy(tracks.id)).map(trackFromRow);
  const byId = new Map(allTracks.map((t) => [t.id, t]));
  const trackRows = index
    ? index.items.map((id) => {
        const track = byId.get(id);
        if (!track) throw new Error(`track ${id} of the trained model is gone from the catalog`);
        return track;
      })
    : allTracks;
  const listenerIds =
    index?.listeners ?? (await d.select({ id: listeners.id }).from(listeners).orderBy(listeners.id)).map((r) => r.id);
  const itemIndex = new Map(trackRows.map((t, i) => [t.id, i]));
  const listenerIndex = new Map(listenerIds.map((id, i) => [id, i]));

  // Recent raw events and the rollups of those past retention are both evidence.
  const [recent, rolledUp] = await Promise.all([
    d
      .select({ ...eventCounts, events: sql<number>`count(*)` })
      .from(events)
      .groupBy(events.listenerId, events.trackId),
    d.select().from(eventRollups),
  ]);
  // Rows are merged in place, not copied: at Last.fm size each copy of them is tens of MB of a worker's 128.
  const counts = new Map<string, Evidence>();
  const add = (row: Evidence) => {
    const key = `${row.listenerId}\u0000${row.trackId}`;
    const seen = counts.get(key);
    if (!seen) {
      counts.set(key, row);
      return;
    }
    for (const k of COUNT_FIELDS) seen[k] += row[k];
    seen.events += row.events;
    seen.lastTs = Math.max(seen.lastTs, row.lastTs);
  };
  for (const row of recent) add(row);
  for (const row of rolledUp) add(Object.assign(row, { events: 0 }));
  const ordered = [...counts.values()].sort((a, b) => b.lastTs - a.lastTs);

  const interactions: Interaction[] = [];
  const history: number[][] = listenerIds.map(() => []);
  const listenersPerTrack = new Int32Array(trackRows.length);
  let eventCount = 0;
  for (const row of ordered) {
    const listener = listenerIndex.get(row.listenerId);
    const item = itemIndex.get(row.trackId);
    eventCount += row.events;
    if (listener === undefined || item === undefined) continue;
    const weight = evidenceWeight(row);
    interactions.push({ listener, item, weight });
    if (weight > 0) {
      history[listener]!.push(item);
      listenersPerTrack[item]!++;
    }
  }
  return {
    data: {
      listeners: listenerIds,
      items: trackRows.map((t) => t.id),
      interactions,
      itemContent: trackRows.map((t) => ({ features: featureVector(t.features), tags: contentTags(t) })),
    },
    tracks: trackRows,
    listenersPerTrack,
    history,
    eventCount,
  };
}
