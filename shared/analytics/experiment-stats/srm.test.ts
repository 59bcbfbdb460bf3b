import { describe, expect, it } from "vitest";
import { sampleRatioMismatch } from "./srm";

describe("the sample-ratio-mismatch check", () => {
  it("passes a 50/50 split of 10,000 listeners", () => {
    const check = sampleRatioMismatch([5000, 5000], [0.5, 0.5]);
    expect(check.flagged).toBe(false);
    expect(check.p).toBe(1);
  });

  it("passes chance deviations of a 50/50 split", () => {
    // chi-square 1 on 1 degree of freedom: p = 0.3173
    const check = sampleRatioMismatch([4950, 5050], [0.5, 0.5]);
    expect(check.chiSquare).toBeCloseTo(1, 12);
    expect(check.p).toBeCloseTo(0.3173, 4);
    expect(check.flagged).toBe(false);
  });

  it("flags 45/55 of 10,000 listeners meant to be 50/50", () => {
    const check = sampleRatioMismatch([4500, 5500], [0.5, 0.5]);
    expect(check.chiSquare).toBeCloseTo(100, 9);
    expect(check.p).toBeLessThan(0.001);
    expect(check.flagged).toBe(true);
  });

  it("judges a split against unequal shares, over more than two variants", () => {
    // On 2 degrees of freedom the chi-square tail is exp(-x / 2): 6.25 gives 0.044, 25 gives 3.7e-6.
    const chance = sampleRatioMismatch([2100, 3950, 3950], [0.2, 0.4, 0.4]);
    expect(chance.p).toBeCloseTo(Math.exp(-6.25 / 2), 9);
    expect(chance.flagged).toBe(false);
    const broken = sampleRatioMismatch([2200, 3900, 3900], [0.2, 0.4, 0.4]);
    expect(broken.p).toBeCloseTo(Math.exp(-25 / 2), 9);
    expect(broken.flagged).toBe(true);
  });
});
