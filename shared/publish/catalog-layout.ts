import { DAY_MS } from "../analytics/days";
import { fnv1a } from "../util/hash";
import { sampleWithoutReplacement, seededRandom, shuffle } from "../util/random";

/**
 * How a version's catalog is cut so that no reader or writer holds all of it: rows in shards found by a
 * hash of the track id, a bounded browse set of the most listened tracks, and daily exploration pools
 * drawn from the whole catalog, with one per region and day that mixes in what the region's listeners
 * play. Pure: the publisher decides what to write with it, the edge what to read.
 */

/** About 64 rows a shard: about 11 KB of JSON, and 15,625 shards (KV writes) at 1,000,000 tracks. */
export const TRACKS_PER_CATALOG_SHARD = 64;
/** Larger than the demo catalog (6,104 tracks), so there every generator still sees every track. */
export const BROWSE_TRACKS = 8_000;
/** One pool per weekday: a version lives hours, and a listener's exploration still changes day by day. */
export const EXPLORATION_POOLS = 7;
export const EXPLORATION_POOL_TRACKS = 1_000;
/**
 * The regions with pools of their own, those with the most listeners: a region's pools are EXPLORATION_POOLS
 * KV writes a version, and a listener elsewhere explores the day's pool of the whole catalog.
 */
export const EXPLORATION_REGIONS = 50;
/** At most this share of a regional pool is what the region's listeners play beyond its chart. */
export const REGIONAL_EXPLORATION_SHARE = 0.5;

export function catalogShardCount(tracks: number): number {
  return Math.max(1, Math.ceil(tracks / TRACKS_PER_CATALOG_SHARD));
}

/** The shard of a track's row: a hash of its id, so a reader needs only the id and the shard count. */
export function catalogShardOf(trackId: string, shards: number): number {
  // Salted, so a catalog shard and a neighbour-list shard of the same number hold different tracks.
  return fnv1a(`row:${trackId}`) % shards;
}

/** The ids grouped by the shard that holds their rows. */
export function idsByShard(ids: Iterable<string>, shards: number): Map<number, string[]> {
  const grouped = new Map<number, string[]>();
  for (const id of ids) {
    const shard = catalogShardOf(id, shards);
    const group = grouped.get(shard);
    if (group) group.push(id);
    else grouped.set(shard, [id]);
  }
  return grouped;
}

/**
 * The `count` items with the most listeners, most first (ties by index). One pass with a sorted copy of the
 * counts: a million items sort as numbers in a typed array, never as objects or call arguments.
 */
export function mostListened(listeners: Float64Array, count: number): number[] {
  if (listeners.length === 0 || count <= 0) return [];
  const sorted = Float64Array.from(listeners).sort();
  const threshold = sorted[Math.max(0, sorted.length - count)]!;
  const chosen: number[] = [];
  for (let item = 0; item < listeners.length; item++) if (listeners[item]! > threshold) chosen.push(item);
  for (let item = 0; item < listeners.length && chosen.length < count; item++) {
    if (listeners[item] === threshold) chosen.push(item);
  }
  return chosen.sort((a, b) => listeners[b]! - listeners[a]! || a - b);
}

/** The items of day `pool`'s exploration pool: drawn evenly from all items, the same for every writer. */
export function explorationPoolItems(items: number, pool: number, size = EXPLORATION_POOL_TRACKS): number[] {
  const random = seededRandom(fnv1a(`exploration:${pool}`));
  const chosen = new Set<number>();
  const wanted = Math.min(size, items);
  while (chosen.size < wanted) chosen.add(Math.floor(random() * items));
  return [...chosen].sort((a, b) => a - b);
}

/** How many of a region's listeners played a track lately (a regional chart's row). */
export interface RegionalPlays {
  trackId: string;
  listeners: number;
}

/**
 * Day `pool`'s pool for `region`: up to REGIONAL_EXPLORATION_SHARE of it drawn from `explorable` (what
 * enough of the region's listeners play beyond its chart, see crowdPlayed in shared/crowd.ts; more often the
 * more of them play a track), the rest drawn from the day's pool of the whole catalog (`dayPool`), so a
 * region still explores the whole catalog. The same for every writer; in draw order, regional tracks first.
 */
export function regionalPoolIds(
  dayPool: readonly string[],
  explorable: readonly RegionalPlays[],
  region: string,
  pool: number,
  size = EXPLORATION_POOL_TRACKS,
): string[] {
  const random = seededRandom(fnv1a(`exploration:${pool}:${region}`));
  const chosen = new Set(
    sampleWithoutReplacement(
      random,
      explorable.map((p) => p.trackId),
      explorable.map((p) => p.listeners),
      Math.floor(size * REGIONAL_EXPLORATION_SHARE),
    ),
  );
  for (const id of shuffle([...dayPool], random)) {
    if (chosen.size >= size) break;
    chosen.add(id);
  }
  return [...chosen];
}

/** The pool a moment's requests explore from: the UTC day's, in turn. */
export function explorationPoolOf(now: number, pools: number): number {
  return Math.floor(now / DAY_MS) % Math.max(1, pools);
}
