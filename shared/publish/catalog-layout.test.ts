import { describe, expect, it } from "vitest";
import {
  catalogShardCount,
  catalogShardOf,
  EXPLORATION_POOL_TRACKS,
  explorationPoolItems,
  explorationPoolOf,
  idsByShard,
  mostListened,
  REGIONAL_EXPLORATION_SHARE,
  regionalPoolIds,
  TRACKS_PER_CATALOG_SHARD,
} from "./catalog-layout";
import { similarShardOf } from "./artifacts";

describe("catalog shards", () => {
  it("size the shard count to the catalog, never below one", () => {
    expect(catalogShardCount(0)).toBe(1);
    expect(catalogShardCount(TRACKS_PER_CATALOG_SHARD + 1)).toBe(2);
    expect(catalogShardCount(1_000_000)).toBe(15_625);
  });

  it("place a track by its id alone, apart from its neighbour-list shard", () => {
    expect(catalogShardOf("trk-1", 97)).toBe(catalogShardOf("trk-1", 97));
    const ids = Array.from({ length: 2_000 }, (_, n) => `trk-${n}`);
    const same = ids.filter((id) => catalogShardOf(id, 97) === similarShardOf(id, 97)).length;
    expect(same).toBeLessThan(ids.length / 10);
  });

  it("group ids by shard, every id once, no shard overfull", () => {
    const items = Array.from({ length: 1_000 }, (_, n) => `trk-${n}`);
    const shards = catalogShardCount(items.length);
    const grouped = idsByShard(items, shards);
    expect([...grouped.values()].reduce((sum, ids) => sum + ids.length, 0)).toBe(items.length);
    expect(Math.max(...[...grouped.values()].map((ids) => ids.length))).toBeLessThan(3 * TRACKS_PER_CATALOG_SHARD);
  });
});

describe("mostListened", () => {
  it("picks the most listened items, most first, ties by index", () => {
    expect(mostListened(Float64Array.from([1, 5, 3, 5, 0]), 3)).toEqual([1, 3, 2]);
    expect(mostListened(Float64Array.from([2, 2, 2]), 2)).toEqual([0, 1]);
    expect(mostListened(Float64Array.from([1, 2]), 10)).toEqual([1, 0]);
    expect(mostListened(new Float64Array(0), 10)).toEqual([]);
  });

  it("handles a million items without spreading them into a call", () => {
    const listeners = Float64Array.from({ length: 1_000_000 }, (_, i) => i % 1_000);
    const top = mostListened(listeners, 8_000);
    expect(top).toHaveLength(8_000);
    expect(listeners[top[0]!]).toBe(999);
    expect(listeners[top.at(-1)!]).toBe(992);
  });
});

describe("exploration pools", () => {
  it("draw distinct items evenly, the same for every writer, different per pool", () => {
    const pool = explorationPoolItems(100_000, 2, 1_000);
    expect(new Set(pool).size).toBe(1_000);
    expect(explorationPoolItems(100_000, 2, 1_000)).toEqual(pool);
    expect(explorationPoolItems(100_000, 3, 1_000)).not.toEqual(pool);
    expect(pool.filter((i) => i < 50_000).length).toBeGreaterThan(400);
    expect(explorationPoolItems(10, 0, 1_000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("turn over with the UTC day", () => {
    const day = 86_400_000;
    expect(explorationPoolOf(0, 7)).toBe(0);
    expect(explorationPoolOf(day - 1, 7)).toBe(0);
    expect(explorationPoolOf(day, 7)).toBe(1);
    expect(explorationPoolOf(7 * day, 7)).toBe(0);
    expect(explorationPoolOf(5 * day, 0)).toBe(0);
  });
});

describe("regional exploration pools", () => {
  const dayPool = Array.from({ length: EXPLORATION_POOL_TRACKS }, (_, n) => `catalog-${n}`);
  const played = (count: number, listeners: (n: number) => number) =>
    Array.from({ length: count }, (_, n) => ({ trackId: `regional-${n}`, listeners: listeners(n) }));

  it("hold at most their share of regional tracks, filled from the day's pool of the whole catalog", () => {
    const plays = played(3_000, (n) => 3 + (n % 5));
    const ids = regionalPoolIds(dayPool, plays, "SE", 2);
    expect(ids).toHaveLength(EXPLORATION_POOL_TRACKS);
    expect(new Set(ids).size).toBe(ids.length);
    const regional = ids.filter((id) => id.startsWith("regional-"));
    expect(regional).toHaveLength(EXPLORATION_POOL_TRACKS * REGIONAL_EXPLORATION_SHARE);
    expect(ids.filter((id) => !id.startsWith("regional-")).every((id) => dayPool.includes(id))).toBe(true);
    // The same for every writer; another region or day draws other tracks, not only another order.
    expect(regionalPoolIds(dayPool, plays, "SE", 2)).toEqual(ids);
    const drawnSet = (pool: string[]) => new Set(pool.filter((id) => id.startsWith("regional-")));
    expect(drawnSet(regionalPoolIds(dayPool, plays, "SE", 3))).not.toEqual(drawnSet(ids));
    expect(drawnSet(regionalPoolIds(dayPool, plays, "NO", 2))).not.toEqual(drawnSet(ids));
  });

  it("draw the tracks more of the region's listeners play more often", () => {
    const plays = played(2_000, (n) => (n % 2 === 0 ? 30 : 3));
    const regional = regionalPoolIds(dayPool, plays, "SE", 0).filter((id) => id.startsWith("regional-"));
    const widelyPlayed = regional.filter((id) => Number(id.slice("regional-".length)) % 2 === 0).length;
    expect(widelyPlayed).toBeGreaterThan(regional.length * 0.7);
  });

  it("take the whole catalog's pool where the region plays little beyond its chart", () => {
    const plays = played(40, () => 5);
    const ids = regionalPoolIds(dayPool, plays, "IS", 1);
    expect(ids).toHaveLength(EXPLORATION_POOL_TRACKS);
    expect(ids.filter((id) => id.startsWith("regional-")).sort()).toEqual(plays.map((p) => p.trackId).sort());
    expect(regionalPoolIds(dayPool.slice(0, 10), [], "IS", 1).sort()).toEqual(dayPool.slice(0, 10).sort());
  });
});
