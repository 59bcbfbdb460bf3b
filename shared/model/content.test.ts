import { describe, expect, it } from "vitest";
import { contentVectors, exactNeighbourWork } from "./content";

describe("content vectors", () => {
  it("give a feature dimension that is the same for every item no part in similarity", () => {
    // 0.1 + 0.2 style values: their mean is off by rounding, which must not read as variation.
    const features = [0.3, 0.1 + 0.2, 120];
    const vectors = contentVectors(
      Array.from({ length: 1001 }, (_, i) => ({ features, tags: i % 2 === 0 ? ["even"] : [] })),
    );
    expect(vectors.indptr[1]! - vectors.indptr[0]!).toBe(1);
    expect(vectors.indptr[2]! - vectors.indptr[1]!).toBe(0);
  });

  it("standardise features that vary", () => {
    const vectors = contentVectors([{ features: [0, 100] }, { features: [1, 300] }]);
    expect([...vectors.values].map((v) => Math.round(v * 1000) / 1000)).toEqual([-0.707, -0.707, 0.707, 0.707]);
  });

  it("count the exact search's work as the pairs each dimension holds", () => {
    // Dimension 0 in three rows, dimension 1 in two: 3 x 3 + 2 x 2.
    const vectors = {
      rows: 3,
      cols: 2,
      indptr: Int32Array.of(0, 2, 4, 5),
      indices: Int32Array.of(0, 1, 0, 1, 0),
      values: new Float32Array(5),
    };
    expect(exactNeighbourWork(vectors)).toBe(13);
  });
});
