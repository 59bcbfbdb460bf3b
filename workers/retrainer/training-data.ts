import { drizzle } from "drizzle-orm/d1";
import { sql } from "drizzle-orm";
import { contentTags, featureVector } from "../../shared/catalog/features";
import { trackFromRow } from "../../shared/db/rows";
import { events, listeners, tracks } from "../../shared/db/schema";
import { evidenceWeight } from "../../shared/model/evidence";
import type { Interaction, TrainingData } from "../../shared/model/types";
import type { Track } from "../../shared/catalog/types";

export interface TrainingSet {
  data: TrainingData;
  tracks: Track[];
  /** Training listeners per track, the basis of popularity. */
  listenersPerTrack: Int32Array;
  /** Each listener's tracks, most recent first. */
  history: number[][];
  eventCount: number;
}

/** Reads the catalog and every listener's evidence per track from D1 in the model's index space. */
export async function loadTrainingSet(db: D1Database): Promise<TrainingSet> {
  const d = drizzle(db);
  const trackRows = (await d.select().from(tracks).orderBy(tracks.id)).map(trackFromRow);
  const listenerIds = (await d.select({ id: listeners.id }).from(listeners).orderBy(listeners.id)).map((r) => r.id);
  const itemIndex = new Map(trackRows.map((t, i) => [t.id, i]));
  const listenerIndex = new Map(listenerIds.map((id, i) => [id, i]));

  const counts = await d
    .select({
      listener: events.listenerId,
      track: events.trackId,
      plays: sql<number>`sum(${events.type} = 'play')`,
      completes: sql<number>`sum(${events.type} = 'complete')`,
      skips: sql<number>`sum(${events.type} = 'skip')`,
      likes: sql<number>`sum(${events.type} = 'like')`,
      dislikes: sql<number>`sum(${events.type} = 'dislike')`,
      repeats: sql<number>`sum(${events.type} = 'repeat')`,
      adds: sql<number>`sum(${events.type} = 'add_to_playlist')`,
      events: sql<number>`count(*)`,
      last: sql<number>`max(${events.clientTs})`,
    })
    .from(events)
    .groupBy(events.listenerId, events.trackId)
    .orderBy(events.listenerId, sql`max(${events.clientTs}) desc`);

  const interactions: Interaction[] = [];
  const history: number[][] = listenerIds.map(() => []);
  const listenersPerTrack = new Int32Array(trackRows.length);
  let eventCount = 0;
  for (const row of counts) {
    const listener = listenerIndex.get(row.listener);
    const item = itemIndex.get(row.track);
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
