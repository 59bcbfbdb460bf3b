import { describe, expect, it } from "vitest";
import {
  catalogCoverage,
  headItems,
  hitRateAtK,
  intraListDiversity,
  longTailShare,
  meanPopularity,
  ndcgAtK,
  recallAtK,
} from "./metrics";

describe("ranking metrics", () => {
  const relevant = new Set([2, 5, 9]);
  const ranked = [5, 1, 2, 7, 8];

  it("recall divides hits by min(k, relevant)", () => {
    expect(recallAtK(ranked, relevant, 5)).toBeCloseTo(2 / 3);
    expect(recallAtK(ranked, relevant, 2)).toBeCloseTo(1 / 2);
    expect(recallAtK(ranked, new Set(), 5)).toBe(0);
  });

  it("NDCG uses binary gains and an ideal over min(k, relevant) items", () => {
    const dcg = 1 / Math.log2(2) + 1 / Math.log2(4);
    const ideal = 1 / Math.log2(2) + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcgAtK(ranked, relevant, 5)).toBeCloseTo(dcg / ideal);
    expect(ndcgAtK([2, 5, 9], relevant, 3)).toBeCloseTo(1);
    expect(ndcgAtK([5], relevant, 1)).toBeCloseTo(1);
  });

  it("hit rate is 1 with any hit in the top k", () => {
    expect(hitRateAtK(ranked, relevant, 1)).toBe(1);
    expect(hitRateAtK([1, 7], relevant, 2)).toBe(0);
  });
});

describe("list and catalogue metrics", () => {
  it("coverage counts distinct recommended items over the catalogue", () => {
    expect(
      catalogCoverage(
        [
          [1, 2],
          [2, 3],
        ],
        10,
      ),
    ).toBeCloseTo(0.3);
  });

  it("mean popularity averages over every slot", () => {
    expect(meanPopularity([[0, 1], [1]], [10, 4])).toBeCloseTo(6);
  });

  it("intra-list diversity averages 1 - similarity over pairs", () => {
    const similarity = (a: number, b: number) => (a + b === 1 ? 1 : 0.5);
    // pairs (0,1)=1, (0,2)=0.5, (1,2)=0.5 -> dissimilarities 0, 0.5, 0.5
    expect(intraListDiversity([0, 1, 2], similarity)).toBeCloseTo(1 / 3);
    expect(intraListDiversity([4], similarity)).toBe(0);
  });

  it("the head holds the most popular items up to 80% of interactions; the rest is long tail", () => {
    const popularity = [50, 30, 10, 5, 5, 0];
    expect([...headItems(popularity)].sort()).toEqual([0, 1]);
    expect(
      longTailShare(
        [
          [0, 2],
          [3, 1],
        ],
        headItems(popularity),
      ),
    ).toBeCloseTo(0.5);
  });
});
