import { ExperimentInput } from "../../experiments/definition";
import { seededRandom } from "../../util/random";
import type { ListenerAggregates, ListenerOutcome } from "./outcome";

/** Listeners of simulated experiments for the statistics' tests (not a model of real people). */
export interface Simulator {
  random: () => number;
  gaussian: () => number;
}

export function simulator(seed: number): Simulator {
  const random = seededRandom(seed);
  // Box-Muller: a standard normal from two uniforms.
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return { random, gaussian };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function period(sim: Simulator, skipRate: number, sessionMinutes: number): ListenerAggregates {
  const starts = 1 + Math.floor(sim.random() * 20);
  let earlySkips = 0;
  let completions = 0;
  let likesAndSaves = 0;
  for (let s = 0; s < starts; s++) {
    if (sim.random() < skipRate) earlySkips++;
    else if (sim.random() < 0.8) completions++;
    if (sim.random() < 0.1) likesAndSaves++;
  }
  const sessions = 1 + Math.floor(sim.random() * 4);
  return {
    starts,
    earlySkips,
    completions,
    listeningMs: (starts - earlySkips) * 180_000 + earlySkips * 10_000,
    sessions,
    sessionMs: Math.round(sessions * sessionMinutes * 60_000 * Math.exp(0.3 * sim.gaussian())),
    likesAndSaves,
  };
}

/**
 * One listener: a hidden skip propensity and session habit that shape both their pre-exposure period
 * (under control's behaviour) and their period from exposure on (under their variant's), which is what
 * makes the pre-period a useful covariate.
 */
export function simulatedListener(
  sim: Simulator,
  variant: string,
  { skipRate, sessionMinutes }: { skipRate: number; sessionMinutes: number },
  control: { skipRate: number; sessionMinutes: number },
): ListenerOutcome {
  const taste = 0.15 * sim.gaussian();
  const habit = Math.exp(0.5 * sim.gaussian());
  return {
    variant,
    pre: period(sim, clamp(control.skipRate + taste, 0.01, 0.95), control.sessionMinutes * habit),
    post: period(sim, clamp(skipRate + taste, 0.01, 0.95), sessionMinutes * habit),
  };
}

/** A two-variant experiment on the skip rate, with a session-length guardrail. */
export function experimentDefinition(overrides: Partial<ExperimentInput> = {}): ExperimentInput {
  return ExperimentInput.parse({
    name: "model against popularity",
    hypothesis: "the model's picks are skipped less",
    variants: [
      { name: "control", share: 0.5 },
      { name: "treatment", share: 0.5 },
    ],
    primaryMetric: "skipRate",
    guardrails: [{ metric: "sessionLength", tolerance: 0.05 }],
    minimumDetectableEffect: 0.05,
    ...overrides,
  });
}
