/** Deterministic PRNG (mulberry32) so that demo data, splits and model initialisation repeat exactly for a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `items` in place (Fisher-Yates) with `random`, and returns it. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let n = items.length - 1; n > 0; n--) {
    const m = Math.floor(random() * (n + 1));
    [items[n], items[m]] = [items[m]!, items[n]!];
  }
  return items;
}

/**
 * `count` items drawn without replacement, each with probability proportional to its weight
 * (Efraimidis-Spirakis keys); with `count` = all, a weighted random order.
 */
export function sampleWithoutReplacement<T>(
  random: () => number,
  items: readonly T[],
  weights: readonly number[],
  count: number,
): T[] {
  return items
    .map((item, i) => ({ item, key: Math.log(1 - random()) / Math.max(weights[i]!, 1e-12) }))
    .sort((a, b) => b.key - a.key)
    .slice(0, count)
    .map(({ item }) => item);
}
