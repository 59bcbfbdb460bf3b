/** A weight that halves every half-life; stored as its value at `at` so it decays lazily on read. */
export interface DecayedWeight {
  value: number;
  at: number; // ms
}

export function decayedValue(weight: DecayedWeight, now: number, halfLifeMs: number): number {
  // Never grow a weight when a caller's clock is behind the stored anchor.
  const elapsed = Math.max(0, now - weight.at);
  return weight.value * Math.pow(2, -elapsed / halfLifeMs);
}

/**
 * Adds `delta` observed at time `t`. Events can arrive out of order, so an older delta is
 * decayed to the existing anchor instead of moving the anchor back in time.
 */
export function addDecayed(
  weight: DecayedWeight | undefined,
  delta: number,
  t: number,
  halfLifeMs: number,
): DecayedWeight {
  if (!weight) return { value: delta, at: t };
  if (t >= weight.at) return { value: decayedValue(weight, t, halfLifeMs) + delta, at: t };
  return { value: weight.value + decayedValue({ value: delta, at: t }, weight.at, halfLifeMs), at: weight.at };
}
