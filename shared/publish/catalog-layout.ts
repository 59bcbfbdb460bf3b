import { DAY_MS } from "../analytics/days";
import { fnv1a } from "../util/hash";
import { seededRandom } from "../util/random";

/**
 * How a version's catalog is cut so that no reader or writer holds all of it: rows in shards found by a
 * hash of the track id, a bounded browse set of the most listened tracks, and daily exploration pools
 * drawn from the whole catalog. Pure: the publisher decides what to write with it, the edge what to read.
 */

/** About 64 rows a shard: about 11 KB of JSON, and 15,625 shards (KV writes) at 1,000,000 tracks. */
export const TRACKS_PER_CATALOG_SHARD = 64;
/** Larger than the demo catalog (6,104 tracks), so there every generator still sees every track. */
export const BROWSE_TRACKS = 8_000;
/** One pool per weekday: a version lives hours, and a listener's exploration still changes day by day. */
export const EXPLORATION_POOLS = 7;
export const EXPLORATION_POOL_TRACKS = 1_000;

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

/** The pool a moment's requests explore from: the UTC day's, in turn. */
export function explorationPoolOf(now: number, pools: number): number {
  return Math.floor(now / DAY_MS) % Math.max(1, pools);
}
