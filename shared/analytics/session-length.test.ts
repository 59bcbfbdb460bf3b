import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sessionLengths } from "./session-length";

describe("session lengths", () => {
  it("mean, nearest-rank median and p90 of a histogram", () => {
    expect(sessionLengths([])).toEqual({ sessions: 0, meanMs: null, medianMs: null, p90Ms: null });
    const h = [
      { lengthMs: 300, sessions: 1 },
      { lengthMs: 100, sessions: 8 },
      { lengthMs: 200, sessions: 1 },
    ];
    expect(sessionLengths(h)).toEqual({ sessions: 10, meanMs: 130, medianMs: 100, p90Ms: 200 });
  });

  it("a histogram gives what the list of lengths gives, however it is split (days merge by adding)", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10_000), { minLength: 1, maxLength: 200 }), (lengths) => {
        const sorted = [...lengths].sort((a, b) => a - b);
        const stats = sessionLengths(lengths.map((lengthMs) => ({ lengthMs, sessions: 1 })));
        expect(stats.medianMs).toBe(sorted[Math.ceil(0.5 * sorted.length) - 1]);
        expect(stats.p90Ms).toBe(sorted[Math.ceil(0.9 * sorted.length) - 1]);
        expect(stats.meanMs).toBeCloseTo(lengths.reduce((a, b) => a + b, 0) / lengths.length);
      }),
    );
  });
});
