import { describe, expect, it } from "vitest";
import { cuped, type CupedUnit } from "./cuped";
import { simulator } from "./test-fixtures";

function listeners(seed: number, n: number, correlation: number): CupedUnit[][] {
  const sim = simulator(seed);
  const group = () =>
    Array.from({ length: n }, () => {
      const habit = 10 + 3 * sim.gaussian();
      const noise = () => Math.sqrt(1 - correlation ** 2) * 3 * sim.gaussian();
      return {
        pre: { y: correlation * habit + noise(), x: 1 },
        post: { y: correlation * habit + noise(), x: 1 },
      };
    });
  return [group(), group()];
}

describe("CUPED", () => {
  it("removes most of the variance a correlated pre-period explains, without moving the estimate far", () => {
    const [a, b] = cuped(listeners(7, 2000, 0.9));
    for (const g of [a!, b!]) {
      expect(g.varianceReduction).toBeGreaterThan(0.5);
      expect(g.adjusted.variance).toBeLessThan(g.raw.variance);
      expect(Math.abs(g.adjusted.estimate - g.raw.estimate)).toBeLessThan(4 * Math.sqrt(g.raw.variance));
    }
  });

  it("changes next to nothing when the pre-period says nothing", () => {
    const [a] = cuped(listeners(8, 2000, 0));
    expect(Math.abs(a!.varianceReduction)).toBeLessThan(0.01);
  });

  it("works on ratio metrics through the linearisation", () => {
    const sim = simulator(9);
    const group = () =>
      Array.from({ length: 2000 }, () => {
        const p = Math.min(0.9, Math.max(0.05, 0.3 + 0.2 * sim.gaussian()));
        const draw = (starts: number) => ({
          y: Array.from({ length: starts }, () => sim.random() < p).filter(Boolean).length,
          x: starts,
        });
        return { pre: draw(20), post: draw(20) };
      });
    const [a] = cuped([group(), group()]);
    expect(a!.varianceReduction).toBeGreaterThan(0.3);
  });

  it("leaves a group without any pre-period unadjusted", () => {
    const units = [1, 2, 3, 4].map((y) => ({ post: { y, x: 1 }, pre: { y: 0, x: 0 } }));
    const [a] = cuped([units]);
    expect(a!.adjusted).toEqual({ estimate: a!.raw.estimate, variance: a!.raw.variance });
  });
});
