import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cutIntoGroups } from "./groups";

describe("cutIntoGroups", () => {
  it("keeps the order and every item, each group within the count and the size", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(50)),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 50, max: 200 }),
        (sizes, count, size) => {
          const groups = cutIntoGroups(sizes, (n) => n, count, size);
          expect(groups.flat()).toEqual(sizes);
          for (const group of groups) {
            expect(group.length).toBeGreaterThan(0);
            expect(group.length).toBeLessThanOrEqual(count);
            expect(group.reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(size);
          }
        },
      ),
    );
  });

  it("puts an item larger than the size in a group of its own", () => {
    expect(cutIntoGroups([1, 9, 1], (n) => n, 10, 5)).toEqual([[1], [9], [1]]);
  });
});
