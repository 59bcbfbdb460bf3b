export type Random = () => number;

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

export function chance(random: Random, probability: number): boolean {
  return random() < probability;
}

/** Inclusive on both ends. */
export function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Box-Muller; 1 - random() keeps the logarithm away from zero. */
export function gaussian(random: Random, mean = 0, sd = 1): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random()));
  return mean + sd * radius * Math.cos(2 * Math.PI * random());
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Linear scan: meant for the short lists (genres, devices) it is used with. */
export function pickWeighted<T>(random: Random, items: readonly T[], weights: readonly number[]): T {
  let total = 0;
  for (const weight of weights) total += weight;
  let target = random() * total;
  for (let i = 0; i < items.length; i++) {
    target -= weights[i]!;
    if (target < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

/**
 * Precomputed cumulative weights, so drawing from thousands of tracks
 * tens of thousands of times costs a binary search each.
 */
export function weightedSampler<T>(items: readonly T[], weights: readonly number[]): (random: Random) => T {
  const cumulative = new Float64Array(items.length);
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    total += weights[i]!;
    cumulative[i] = total;
  }
  return (random) => {
    const target = random() * total;
    let low = 0;
    let high = items.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle]! <= target) low = middle + 1;
      else high = middle;
    }
    return items[low]!;
  };
}

// Weighted sampling without replacement is not demo-only: playlists draw with it too.
export { sampleWithoutReplacement } from "../util/random";

export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
