import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cuped } from "./cuped";
import { relativeLift } from "./lift";
import { ALPHA, normalInterval } from "./normal";
import { METRIC_UNITS, type ListenerOutcome } from "./outcome";
import { experimentResults } from "./results";
import { alwaysValidP, confidenceSequence } from "./sequential";
import { experimentDefinition, simulatedListener, simulator } from "./test-fixtures";

// An A/A test: the same ranking under two names.
const definition = experimentDefinition({
  name: "A/A",
  variants: [
    { name: "a", share: 0.5 },
    { name: "b", share: 0.5 },
  ],
  guardrails: [],
});
const SAME = { skipRate: 0.3, sessionMinutes: 25 };

/** The naive test: the fixed-horizon 95% interval of the CUPED-adjusted lift, read as if each look were the only one. */
function naiveSignificant(listeners: readonly ListenerOutcome[]): boolean {
  const [a, b] = cuped(
    ["a", "b"].map((v) =>
      listeners
        .filter((l) => l.variant === v)
        .map((l) => ({ post: METRIC_UNITS.skipRate(l.post), pre: METRIC_UNITS.skipRate(l.pre) })),
    ),
  );
  const lift = relativeLift(b!.adjusted, a!.adjusted)!;
  const [lo, hi] = normalInterval(lift);
  return lo > 0 || hi < 0;
}

describe("always-valid inference", () => {
  it("keeps the false-positive rate of A/A experiments looked at daily for 14 days at or under 5%", () => {
    const EXPERIMENTS = 200;
    const DAYS = 14;
    const PER_DAY = 60;
    let alwaysValid = 0;
    let naive = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      const sim = simulator(1000 + e);
      const listeners: ListenerOutcome[] = [];
      let [foundValid, foundNaive] = [false, false];
      for (let day = 0; day < DAYS; day++) {
        for (let i = 0; i < PER_DAY; i++) {
          listeners.push(simulatedListener(sim, sim.random() < 0.5 ? "a" : "b", SAME, SAME));
        }
        const b = experimentResults(definition, { listeners, latency: {} }).variants[1]!;
        foundValid ||= b.metrics.skipRate.vsControl?.significant ?? false;
        foundNaive ||= naiveSignificant(listeners);
      }
      if (foundValid) alwaysValid++;
      if (foundNaive) naive++;
    }
    console.log(
      `A/A, ${EXPERIMENTS} experiments, ${DAYS} daily looks, ${PER_DAY} new listeners a day: ` +
        `false positives ${((100 * alwaysValid) / EXPERIMENTS).toFixed(1)}% always-valid (mSPRT), ` +
        `${((100 * naive) / EXPERIMENTS).toFixed(1)}% naive fixed-horizon test`,
    );
    expect(alwaysValid / EXPERIMENTS).toBeLessThanOrEqual(ALPHA);
    // The contrast that motivates it: peeking inflates the naive test's rate well past its nominal 5%.
    expect(naive / EXPERIMENTS).toBeGreaterThan(2 * ALPHA);
    // 2,800 analyses: seconds of CPU, not a timing under test.
  }, 60_000);

  const estimate = fc.record({
    estimate: fc.double({ min: -1, max: 1, noNaN: true }),
    variance: fc.double({ min: 1e-6, max: 1, noNaN: true }),
  });
  const tau = fc.double({ min: 0.01, max: 1, noNaN: true });

  it("rejects no difference exactly when the confidence sequence excludes zero", () => {
    fc.assert(
      fc.property(estimate, tau, (e, t) => {
        const [lo, hi] = confidenceSequence(e, t);
        fc.pre(Math.abs(alwaysValidP(e, t) - ALPHA) > 1e-9);
        expect(alwaysValidP(e, t) < ALPHA).toBe(lo > 0 || hi < 0);
      }),
    );
  });

  it("gives a confidence sequence around the estimate, wider than the one-look interval", () => {
    fc.assert(
      fc.property(estimate, tau, (e, t) => {
        const [lo, hi] = confidenceSequence(e, t);
        const [flo, fhi] = normalInterval(e);
        expect(lo).toBeLessThanOrEqual(flo);
        expect(hi).toBeGreaterThanOrEqual(fhi);
        expect((lo + hi) / 2).toBeCloseTo(e.estimate, 9);
      }),
    );
  });

  it("finds no evidence in an estimate of exactly no difference", () => {
    expect(alwaysValidP({ estimate: 0, variance: 0.01 }, 0.05)).toBe(1);
  });
});
