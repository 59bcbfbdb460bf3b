import { describe, expect, it } from "vitest";
import { jaccard } from "./sets";

describe("jaccard", () => {
  it("is shared members over all members", () => {
    expect(jaccard(new Set([1, 2, 3]), new Set([2, 3, 4, 5]))).toBe(2 / 5);
    expect(jaccard(new Set(["a"]), new Set(["b"]))).toBe(0);
    expect(jaccard(new Set(["a", "b"]), new Set(["b", "a"]))).toBe(1);
    expect(jaccard(new Set(), new Set())).toBe(1);
  });
});
