import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topK, TopKHeap } from "./topK";

const byRank = (a: { item: number; score: number }, b: { item: number; score: number }) =>
  b.score - a.score || a.item - b.item;

describe("top-k selection", () => {
  it("keeps exactly the k best of any sequence, whatever the push order, ties to the lower index", () => {
    fc.assert(
      fc.property(
        // Few distinct scores, so ties are common.
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 60 }),
        fc.infiniteStream(fc.nat()),
        (scores, k, shuffle) => {
          const entries = scores.map((score, item) => ({ item, score }));
          const pushed = [...entries].sort(() => (shuffle.next().value % 3) - 1);
          const heap = new TopKHeap(k);
          for (const { item, score } of pushed) heap.push(item, score);
          expect(heap.drain()).toEqual([...entries].sort(byRank).slice(0, k));
        },
      ),
    );
  });

  it("is reusable after draining", () => {
    const heap = new TopKHeap(2);
    [5, 1, 9, 3].forEach((score, item) => heap.push(item, score));
    expect(heap.drain().map((e) => e.item)).toEqual([2, 0]);
    [1, 7].forEach((score, item) => heap.push(item, score));
    expect(heap.drain().map((e) => e.item)).toEqual([1, 0]);
  });

  it("skips excluded and non-finite scores", () => {
    expect(topK([3, NaN, 9, Infinity, 4], 2, (i) => i === 2)).toEqual([
      { item: 4, score: 4 },
      { item: 0, score: 3 },
    ]);
  });
});
