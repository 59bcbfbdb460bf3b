import { describe, expect, it } from "vitest";
import { clampCount, DEFAULT_RANKING_CONFIG, resolveConfig } from "./config";

describe("resolveConfig", () => {
  it("fills defaults and keeps knobs in their meaningful ranges", () => {
    expect(resolveConfig()).toEqual(DEFAULT_RANKING_CONFIG);
    const config = resolveConfig({
      explorationShare: 0.9,
      diversityLambda: 2,
      maxPerArtist: 0,
      popularityPenalty: 0.2,
    });
    expect([config.explorationShare, config.diversityLambda, config.maxPerArtist, config.popularityPenalty]).toEqual([
      0.5, 1, 1, 0.2,
    ]);
  });
});

describe("clampCount", () => {
  it("keeps n a whole number in 1..100", () => {
    expect([0, 1, 7.9, 100, 1000, Number.NaN].map(clampCount)).toEqual([1, 1, 7, 100, 100, 1]);
  });
});
