import { describe, expect, it } from "vitest";
import { similarShardCount, similarShardOf, TRACKS_PER_SIMILAR_SHARD } from "./artifacts";

describe("neighbour-list shards", () => {
  it("size the shard count to the catalogue, never below one", () => {
    expect(similarShardCount(0)).toBe(1);
    expect(similarShardCount(TRACKS_PER_SIMILAR_SHARD)).toBe(1);
    expect(similarShardCount(TRACKS_PER_SIMILAR_SHARD + 1)).toBe(2);
    expect(similarShardCount(17_632)).toBe(551);
  });

  it("place a track by its id alone, the same way every time", () => {
    expect(similarShardOf("lfm-289", 551)).toBe(similarShardOf("lfm-289", 551));
    // FNV-1a 32 of "a" is 0xe40c292c: a fixed value pins the hash, which published versions depend on.
    expect(similarShardOf("a", 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
  });

  it("spread a catalogue evenly enough that no shard is much larger than the average", () => {
    const ids = Array.from({ length: 17_632 }, (_, n) => `lfm-${n + 1}`);
    const shards = similarShardCount(ids.length);
    const sizes = new Array<number>(shards).fill(0);
    for (const id of ids) sizes[similarShardOf(id, shards)]!++;
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThan(3 * TRACKS_PER_SIMILAR_SHARD);
  });
});
