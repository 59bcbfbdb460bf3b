import type { RankingConfig } from "./config";
import { trackSimilarity } from "./similarity";
import type { ScoredCandidate } from "./types";

/** What MMR reads of an item: its relevance, its artist (for the cap) and its likeness to another. */
export interface MmrAccess<T> {
  score(item: T): number;
  artist(item: T): string;
  similarity(a: T, b: T): number;
}

const CANDIDATES: MmrAccess<ScoredCandidate> = {
  score: (c) => c.score,
  artist: (c) => c.track.artistId,
  similarity: (a, b) => trackSimilarity(a.vector, b.vector),
};

/**
 * Greedy maximal marginal relevance: each pick maximises lambda * relevance - (1 - lambda) *
 * (similarity to the closest track already picked), relevance being the score rescaled to 0..1.
 * Within the first `artistCapWindow` places an artist appears at most `maxPerArtist` times; the
 * cap only gives way when nothing else is left, so a short list is never returned for its sake.
 *
 * Similarities are computed lazily, as they dominate the cost: a candidate's value can only fall
 * as picks are added, so each scan goes in relevance order, stops once relevance alone cannot
 * beat the best value found, and brings a candidate's closest similarity up to date only when
 * its stale value could still win.
 */
export function diversify(
  candidates: readonly ScoredCandidate[],
  count: number,
  config: Pick<RankingConfig, "diversityLambda" | "maxPerArtist" | "artistCapWindow">,
): ScoredCandidate[] {
  return diversifyBy(candidates, count, config, CANDIDATES);
}

/** diversify over any items, with relevance, artist and similarity read through `access` (the offline evaluation's items). */
export function diversifyBy<T>(
  candidates: readonly T[],
  count: number,
  config: Pick<RankingConfig, "diversityLambda" | "maxPerArtist" | "artistCapWindow">,
  access: MmrAccess<T>,
): T[] {
  const lambda = config.diversityLambda;
  // Each score read once: the sort would otherwise read two per comparison.
  const scored = candidates.map((item) => ({ item, score: access.score(item) })).sort((a, b) => b.score - a.score);
  const items = scored.map((s) => s.item);
  const min = scored.at(-1)?.score ?? 0,
    spread = (scored[0]?.score ?? 0) - min;
  // Pre-multiplied by lambda: relevance[i] alone bounds what candidate i can be worth.
  const relevance = scored.map((s) => lambda * (spread > 0 ? (s.score - min) / spread : 1));
  const closest = new Float64Array(items.length);
  const comparedWith = new Uint32Array(items.length); // how many picks closest[i] accounts for
  const taken = new Uint8Array(items.length);
  const perArtist = new Map<string, number>();
  const picked: T[] = [];

  const value = (i: number) => relevance[i]! - (1 - lambda) * closest[i]!;
  const refresh = (i: number) => {
    for (let p = comparedWith[i]!; p < picked.length; p++) {
      closest[i] = Math.max(closest[i]!, access.similarity(picked[p]!, items[i]!));
    }
    comparedWith[i] = picked.length;
  };

  while (picked.length < Math.min(count, items.length)) {
    const capped = picked.length < config.artistCapWindow;
    let best = -1,
      bestValue = -Infinity,
      fallback = -1,
      fallbackValue = -Infinity;
    for (let i = 0; i < items.length; i++) {
      if (taken[i]) continue;
      if (best >= 0 && relevance[i]! <= bestValue) break;
      const overCap = capped && (perArtist.get(access.artist(items[i]!)) ?? 0) >= config.maxPerArtist;
      const toBeat = overCap ? fallbackValue : bestValue;
      if (value(i) <= toBeat) continue; // stale value is an upper bound
      refresh(i);
      if (value(i) <= toBeat) continue;
      if (overCap) [fallback, fallbackValue] = [i, value(i)];
      else [best, bestValue] = [i, value(i)];
    }
    const index = best >= 0 ? best : fallback;
    const chosen = items[index]!;
    taken[index] = 1;
    picked.push(chosen);
    const artist = access.artist(chosen);
    if (capped) perArtist.set(artist, (perArtist.get(artist) ?? 0) + 1);
  }
  return picked;
}
