import type { QuantileEstimate } from "./latency";

export type Better = "lower" | "higher";

/**
 * A guardrail is breached when the variant is surely worse than control by more than the tolerance:
 * the whole always-valid interval of the relative lift lies past it on the worse side (so looking
 * every day does not raise false alarms either).
 */
export function guardrailBreached(better: Better, liftInterval: readonly [number, number], tolerance: number): boolean {
  return better === "lower" ? liftInterval[0] > tolerance : liftInterval[1] < -tolerance;
}

/**
 * The latency guardrail (lower is better): breached when even the low end of the variant's p99
 * interval exceeds the high end of control's, raised by the tolerance. Two non-overlapping 95%
 * intervals are a much stricter bar than one 95% test, which keeps daily looks from flagging by chance.
 */
export function latencyGuardrailBreached(
  variant: QuantileEstimate,
  control: QuantileEstimate,
  tolerance: number,
): boolean {
  return variant.interval[0] > control.interval[1] * (1 + tolerance);
}
