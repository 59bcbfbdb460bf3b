import { describe, expect, it } from "vitest";
import type { ListenerOutcome } from "./outcome";
import { experimentResults } from "./results";
import { experimentDefinition, simulatedListener, simulator } from "./test-fixtures";

const CONTROL = { skipRate: 0.3, sessionMinutes: 25 };

const definition = experimentDefinition;

function listeners(seed: number, n: number, treatment: typeof CONTROL): ListenerOutcome[] {
  const sim = simulator(seed);
  return Array.from({ length: n }, () =>
    sim.random() < 0.5
      ? simulatedListener(sim, "treatment", treatment, CONTROL)
      : simulatedListener(sim, "control", CONTROL, CONTROL),
  );
}

describe("experiment results", () => {
  it("find a real drop of the skip rate from 0.30 to 0.25, and ship it", () => {
    const results = experimentResults(definition(), {
      listeners: listeners(1, 2000, { skipRate: 0.25, sessionMinutes: 25 }),
      latency: {},
    });
    const [control, treatment] = results.variants;
    const skip = treatment!.metrics.skipRate;
    console.log(
      `skip rate ${control!.metrics.skipRate.mean!.toFixed(4)} vs ${skip.mean!.toFixed(4)} ` +
        `(${control!.listeners} vs ${treatment!.listeners} listeners): lift ${(100 * skip.vsControl!.lift).toFixed(1)}% ` +
        `[${skip.vsControl!.liftInterval.map((v) => (100 * v).toFixed(1)).join("%, ")}%], always-valid p ${skip.vsControl!.p.toExponential(2)}, ` +
        `CUPED variance reduction ${(100 * skip.varianceReduction!).toFixed(0)}%`,
    );
    expect(skip.vsControl).toMatchObject({ significant: true, direction: "better" });
    expect(skip.vsControl!.liftInterval[1]).toBeLessThan(0);
    expect(skip.vsControl!.liftInterval[0]).toBeLessThan(-1 / 6 + 0.05);
    expect(skip.interval![0]).toBeLessThan(skip.mean!);
    expect(skip.varianceReduction).toBeGreaterThan(0);
    expect(treatment!.primary).toBe("better");
    expect(results.srm.flagged).toBe(false);
    expect(results.verdict).toMatchObject({ decision: "ship", variant: "treatment" });
    expect(control!.metrics.skipRate.vsControl).toBeNull();
  });

  it("flag a variant that shortens sessions past its guardrail, and keep control", () => {
    const results = experimentResults(definition(), {
      listeners: listeners(2, 2000, { skipRate: 0.3, sessionMinutes: 18 }),
      latency: {},
    });
    const treatment = results.variants[1]!;
    console.log(
      `session length lift ${(100 * treatment.metrics.sessionLength.vsControl!.lift).toFixed(1)}% ` +
        `[${treatment.metrics.sessionLength.vsControl!.liftInterval.map((v) => (100 * v).toFixed(1)).join("%, ")}%]: guardrail breached`,
    );
    expect(treatment.guardrails).toEqual([
      { metric: "sessionLength", tolerance: 0.05, measured: true, breached: true },
    ]);
    expect(results.verdict.decision).toBe("keep-control");
  });

  it("flag a variant whose p99 latency is surely higher", () => {
    const results = experimentResults(definition({ guardrails: [{ metric: "p99Latency", tolerance: 0.1 }] }), {
      listeners: listeners(3, 400, CONTROL),
      latency: { control: { 50: 9950, 100: 50 }, treatment: { 50: 9000, 100: 500, 400: 500 } },
    });
    expect(results.variants[0]!.p99LatencyMs).toMatchObject({ requests: 10_000, estimate: 50 });
    expect(results.variants[1]!.p99LatencyMs).toMatchObject({ requests: 10_000, estimate: 400 });
    expect(results.variants[1]!.guardrails).toEqual([
      { metric: "p99Latency", tolerance: 0.1, measured: true, breached: true },
    ]);
  });

  it("judge no latency guardrail without latency figures", () => {
    const results = experimentResults(definition({ guardrails: [{ metric: "p99Latency", tolerance: 0 }] }), {
      listeners: listeners(4, 400, CONTROL),
      latency: {},
    });
    expect(results.variants[1]!.guardrails).toEqual([
      { metric: "p99Latency", tolerance: 0, measured: false, breached: false },
    ]);
    expect(results.variants[1]!.p99LatencyMs).toBeNull();
  });

  it("distrust a 45/55 split of 10,000 listeners meant to be 50/50, whatever it finds", () => {
    const sim = simulator(5);
    const better = { skipRate: 0.25, sessionMinutes: 25 };
    const results = experimentResults(definition(), {
      listeners: [
        ...Array.from({ length: 4500 }, () => simulatedListener(sim, "control", CONTROL, CONTROL)),
        ...Array.from({ length: 5500 }, () => simulatedListener(sim, "treatment", better, CONTROL)),
      ],
      latency: {},
    });
    expect(results.variants[1]!.primary).toBe("better");
    console.log(
      `SRM: ${results.variants.map((v) => v.listeners).join("/")}, chi-square ${results.srm.chiSquare.toFixed(1)}, p ${results.srm.p.toExponential(2)}`,
    );
    expect(results.srm.flagged).toBe(true);
    expect(results.verdict.decision).toBe("invalid");
  });

  it("say there is no data before any exposure", () => {
    const results = experimentResults(definition(), { listeners: [], latency: {} });
    expect(results.verdict.decision).toBe("no-data");
    expect(results.srm.flagged).toBe(false);
    expect(results.variants.map((v) => [v.name, v.listeners, v.metrics.skipRate.mean])).toEqual([
      ["control", 0, null],
      ["treatment", 0, null],
    ]);
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });
});
