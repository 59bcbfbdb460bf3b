import type { Estimate } from "./normal";

/**
 * The relative lift treatment / control - 1 of two independent groups, with its variance by the
 * delta method: Var(T)/C^2 + T^2 Var(C)/C^4. Null when the control's value is zero.
 */
export function relativeLift(treatment: Estimate, control: Estimate): Estimate | null {
  if (control.estimate === 0) return null;
  const c = control.estimate;
  return {
    estimate: treatment.estimate / c - 1,
    variance: treatment.variance / c ** 2 + (treatment.estimate ** 2 * control.variance) / c ** 4,
  };
}
