import { EXPERIMENT_METRICS, type ExperimentInput } from "../../experiments/definition";
import { cuped, type CupedEstimate } from "./cuped";
import { guardrailBreached, latencyGuardrailBreached, type Better } from "./guardrail";
import { histogramQuantile, type LatencyHistogram, type QuantileEstimate } from "./latency";
import { relativeLift } from "./lift";
import { ALPHA, normalInterval } from "./normal";
import { isListenerMetric, LISTENER_METRICS, METRIC_UNITS, type ListenerMetric, type ListenerOutcome } from "./outcome";
import { alwaysValidP, confidenceSequence } from "./sequential";
import { sampleRatioMismatch, type SampleRatioCheck } from "./srm";

export interface ExperimentData {
  listeners: readonly ListenerOutcome[];
  /** Per variant name; a variant without one has no latency figures. */
  latency: Readonly<Record<string, LatencyHistogram>>;
}

/** A variant against control on one metric: relative lift (CUPED-adjusted) with always-valid inference. */
export interface Comparison {
  lift: number;
  /** The always-valid 95% confidence sequence of the lift. */
  liftInterval: [number, number];
  /** The always-valid p-value of no difference. */
  p: number;
  significant: boolean;
  /** Whether a significant lift goes the metric's better way. */
  direction: "better" | "worse" | null;
}

export interface MetricResult {
  /** The variant's value without adjustment, with its 95% interval (delta method). */
  mean: number | null;
  interval: [number, number] | null;
  /** CUPED-adjusted on each listener's pre-exposure behaviour. */
  adjustedMean: number | null;
  varianceReduction: number | null;
  /** Null for control, and when the comparison cannot be estimated yet. */
  vsControl: Comparison | null;
}

export interface GuardrailResult {
  metric: keyof typeof EXPERIMENT_METRICS;
  tolerance: number;
  breached: boolean;
  /** False when there is nothing to judge by yet (no latency recorded, too few listeners). */
  measured: boolean;
}

export type PrimaryVerdict = "better" | "worse" | "inconclusive";

export interface VariantResult {
  name: string;
  control: boolean;
  share: number;
  listeners: number;
  metrics: Record<ListenerMetric, MetricResult>;
  p99LatencyMs: QuantileEstimate | null;
  /** Empty for control. */
  guardrails: GuardrailResult[];
  /** The primary metric against control; null for control. */
  primary: PrimaryVerdict | null;
}

export type Decision = "no-data" | "invalid" | "ship" | "keep-control" | "continue";

export interface ExperimentResults {
  primaryMetric: ListenerMetric;
  listeners: number;
  srm: SampleRatioCheck;
  variants: VariantResult[];
  verdict: { decision: Decision; variant?: string; reason: string };
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

function comparison(
  variant: CupedEstimate | null,
  control: CupedEstimate | null,
  better: Better,
  tau: number,
): Comparison | null {
  const lift = variant && control ? relativeLift(variant.adjusted, control.adjusted) : null;
  if (!lift || !(lift.variance > 0) || !Number.isFinite(lift.variance)) return null;
  const p = alwaysValidP(lift, tau);
  const significant = p < ALPHA;
  const wentBetter = better === "lower" ? lift.estimate < 0 : lift.estimate > 0;
  return {
    lift: lift.estimate,
    liftInterval: confidenceSequence(lift, tau),
    p,
    significant,
    direction: significant ? (wentBetter ? "better" : "worse") : null,
  };
}

function metricResult(estimate: CupedEstimate | null, vsControl: Comparison | null): MetricResult {
  if (!estimate) return { mean: null, interval: null, adjustedMean: null, varianceReduction: null, vsControl };
  return {
    mean: estimate.raw.estimate,
    interval: normalInterval(estimate.raw),
    adjustedMean: finite(estimate.adjusted.estimate),
    varianceReduction: finite(estimate.varianceReduction),
    vsControl,
  };
}

/**
 * Every variant against control (the first variant) on every listener metric, the guardrails, the
 * sample-ratio check and the verdict on the primary metric. The always-valid tests are tuned to the
 * experiment's minimum detectable effect: it is the spread of the effects their mixture expects.
 */
export function experimentResults(definition: ExperimentInput, data: ExperimentData): ExperimentResults {
  const primaryMetric = definition.primaryMetric;
  // ExperimentInput's schema admits listener metrics only as the primary one.
  if (!isListenerMetric(primaryMetric)) throw new Error(`${primaryMetric} cannot be a primary metric`);
  const names = definition.variants.map((v) => v.name);
  const groups = names.map((name) => data.listeners.filter((l) => l.variant === name));
  const srm = sampleRatioMismatch(
    groups.map((g) => g.length),
    definition.variants.map((v) => v.share),
  );
  const tau = definition.minimumDetectableEffect;
  const estimates = Object.fromEntries(
    LISTENER_METRICS.map((m) => [
      m,
      cuped(groups.map((g) => g.map((l) => ({ post: METRIC_UNITS[m](l.post), pre: METRIC_UNITS[m](l.pre) })))),
    ]),
  ) as Record<ListenerMetric, (CupedEstimate | null)[]>;
  const p99 = names.map((name) => (data.latency[name] ? histogramQuantile(data.latency[name], 0.99) : null));

  const variants = definition.variants.map((v, i): VariantResult => {
    const control = i === 0;
    const metrics = Object.fromEntries(
      LISTENER_METRICS.map((m) => {
        const vsControl = control
          ? null
          : comparison(estimates[m][i]!, estimates[m][0]!, EXPERIMENT_METRICS[m].better, tau);
        return [m, metricResult(estimates[m][i]!, vsControl)];
      }),
    ) as Record<ListenerMetric, MetricResult>;
    const guardrails = control
      ? []
      : definition.guardrails.map(({ metric, tolerance }): GuardrailResult => {
          if (!isListenerMetric(metric)) {
            const [mine, theirs] = [p99[i], p99[0]];
            const measured = Boolean(mine && theirs);
            return {
              metric,
              tolerance,
              measured,
              breached: measured && latencyGuardrailBreached(mine!, theirs!, tolerance),
            };
          }
          const c = metrics[metric].vsControl;
          return {
            metric,
            tolerance,
            measured: c !== null,
            breached: c !== null && guardrailBreached(EXPERIMENT_METRICS[metric].better, c.liftInterval, tolerance),
          };
        });
    const primaryComparison = metrics[primaryMetric].vsControl;
    return {
      name: v.name,
      control,
      share: v.share,
      listeners: groups[i]!.length,
      metrics,
      p99LatencyMs: p99[i]!,
      guardrails,
      primary: control ? null : (primaryComparison?.direction ?? "inconclusive"),
    };
  });
  const listeners = groups.reduce((n, g) => n + g.length, 0);
  return { primaryMetric, listeners, srm, variants, verdict: verdict(variants, srm, primaryMetric, listeners) };
}

function verdict(
  variants: readonly VariantResult[],
  srm: SampleRatioCheck,
  primaryMetric: ListenerMetric,
  listeners: number,
): ExperimentResults["verdict"] {
  if (listeners === 0) return { decision: "no-data", reason: "no listener has been exposed yet" };
  if (srm.flagged) {
    return {
      decision: "invalid",
      reason: `sample ratio mismatch (p = ${srm.p.toPrecision(3)}): assignment or exposure logging is broken`,
    };
  }
  const treatments = variants.filter((v) => !v.control);
  const breached = (v: VariantResult) => v.guardrails.some((g) => g.breached);
  const winners = treatments
    .filter((v) => v.primary === "better" && !breached(v))
    .sort(
      (a, b) => Math.abs(b.metrics[primaryMetric].vsControl!.lift) - Math.abs(a.metrics[primaryMetric].vsControl!.lift),
    );
  if (winners.length > 0) {
    return {
      decision: "ship",
      variant: winners[0]!.name,
      reason: `${primaryMetric} significantly better, no guardrail breached`,
    };
  }
  if (treatments.every((v) => v.primary === "worse" || breached(v))) {
    return {
      decision: "keep-control",
      reason: `every variant is significantly worse on ${primaryMetric} or breaches a guardrail`,
    };
  }
  return { decision: "continue", reason: `no variant differs significantly on ${primaryMetric} yet` };
}
