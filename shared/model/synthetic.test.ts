import { describe, expect, it } from "vitest";
import { syntheticListening, TASTE_GROUPS } from "./synthetic";
import { jaccard } from "../util/sets";

const size = { listeners: 500, items: 2000, interactions: 15_000, seed: 4 };

function rowItems(m: ReturnType<typeof syntheticListening>["interactions"], l: number): Set<number> {
  return new Set(m.indices.subarray(m.indptr[l]!, m.indptr[l + 1]!));
}

describe("syntheticListening", () => {
  it("draws a valid evidence matrix of the asked size, the same for a seed", () => {
    const data = syntheticListening(size);
    const m = data.interactions;
    expect([m.rows, m.cols, data.listeners.length, data.items.length]).toEqual([500, 2000, 500, 2000]);
    expect(m.indices.length).toBeLessThanOrEqual(size.interactions);
    for (let l = 0; l < m.rows; l++) {
      const row = m.indices.subarray(m.indptr[l]!, m.indptr[l + 1]!);
      expect(row.length).toBeGreaterThan(0);
      for (let p = 1; p < row.length; p++) expect(row[p]!).toBeGreaterThan(row[p - 1]!);
      for (const item of row) expect(item).toBeLessThan(size.items);
    }
    expect(m.values.every((v) => v >= 1)).toBe(true);
    expect(syntheticListening(size)).toEqual(data);
    expect(syntheticListening({ ...size, seed: 5 }).interactions.indices).not.toEqual(m.indices);
  });

  it("gives listeners of one taste group more items in common than listeners of different groups", () => {
    const m = syntheticListening(size).interactions;
    let same = 0,
      sameCount = 0,
      other = 0,
      otherCount = 0;
    for (let a = 0; a < 100; a++) {
      for (let b = a + 1; b < 200; b++) {
        const j = jaccard(rowItems(m, a), rowItems(m, b));
        if (a % TASTE_GROUPS === b % TASTE_GROUPS) [same, sameCount] = [same + j, sameCount + 1];
        else [other, otherCount] = [other + j, otherCount + 1];
      }
    }
    expect(same / sameCount).toBeGreaterThan(3 * (other / otherCount));
  });
});
