import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { relativeLift } from "./lift";
import { normalInterval } from "./normal";
import { ratioEstimate } from "./ratio";

describe("the delta method", () => {
  it("gives a ratio's variance as computed by hand", () => {
    const units = [
      { y: 1, x: 2 },
      { y: 2, x: 3 },
      { y: 0, x: 1 },
      { y: 3, x: 4 },
    ];
    // R = 6/10; s_y^2 = s_x^2 = s_xy = 5/3; mean x = 2.5, n = 4:
    // Var(R) = (s_y^2 - 2 R s_xy + R^2 s_x^2) / (n mean(x)^2) = (5/3)(1 - 1.2 + 0.36) / 25 = 0.010667
    const r = ratioEstimate(units)!;
    expect(r.estimate).toBeCloseTo(0.6, 12);
    expect(r.variance).toBeCloseTo(((5 / 3) * 0.16) / 25, 12);
  });

  it("reduces to s^2 / n for a mean metric", () => {
    const r = ratioEstimate([1, 2, 3, 4, 10].map((y) => ({ y, x: 1 })))!;
    expect(r.estimate).toBe(4);
    expect(r.variance).toBeCloseTo(12.5 / 5, 12); // s^2 = (9 + 4 + 1 + 0 + 36) / 4
  });

  it("estimates nothing from fewer than two listeners or no denominator", () => {
    expect(ratioEstimate([{ y: 1, x: 1 }])).toBeNull();
    expect(
      ratioEstimate([
        { y: 0, x: 0 },
        { y: 0, x: 0 },
      ]),
    ).toBeNull();
  });

  it("gives the relative lift's variance as computed by hand", () => {
    const lift = relativeLift({ estimate: 0.25, variance: 1e-4 }, { estimate: 0.3, variance: 1e-4 })!;
    expect(lift.estimate).toBeCloseTo(-1 / 6, 12);
    // Var(T)/C^2 + T^2 Var(C)/C^4 = 1e-4/0.09 + 0.0625e-4/0.0081
    expect(lift.variance).toBeCloseTo(1e-4 / 0.09 + 0.0625e-4 / 0.0081, 12);
  });

  const units = fc.array(fc.record({ y: fc.integer({ min: 0, max: 50 }), x: fc.integer({ min: 1, max: 50 }) }), {
    minLength: 2,
    maxLength: 60,
  });

  it("puts the estimate inside its interval", () => {
    fc.assert(
      fc.property(units, (u) => {
        const r = ratioEstimate(u)!;
        const [lo, hi] = normalInterval(r);
        expect(lo).toBeLessThanOrEqual(r.estimate);
        expect(hi).toBeGreaterThanOrEqual(r.estimate);
      }),
    );
  });

  it("turns the lift around when the variants are swapped", () => {
    fc.assert(
      fc.property(units, units, (a, b) => {
        const [ra, rb] = [ratioEstimate(a)!, ratioEstimate(b)!];
        fc.pre(ra.estimate > 0 && rb.estimate > 0);
        const ab = relativeLift(ra, rb)!;
        const ba = relativeLift(rb, ra)!;
        // (1 + lift) is the ratio of the two: swapping inverts it, and the sign of the lift flips.
        expect((1 + ab.estimate) * (1 + ba.estimate)).toBeCloseTo(1, 9);
        // Opposite signs, or both none: equal rates give a lift of 0 both ways (and -0 is not 0 to toBe).
        expect(Math.sign(ab.estimate) + Math.sign(ba.estimate)).toBe(0);
      }),
    );
  });
});
