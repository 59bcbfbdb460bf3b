import type { RankingConfig } from "./config";
import { trackSimilarity } from "./similarity";
import type { ScoredCandidate } from "./types";

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
  const lambda = config.diversityLambda;
  const items = [...candidates].sort((a, b) => b.score - a.score);
  const min = items.at(-1)?.score ?? 0,
    spread = (items[0]?.score ?? 0) - min;
  // Pre-multiplied by lambda: relevance[i] alone bounds what candidate i can be worth.
  const relevance = items.map((item) => lambda * (spread > 0 ? (item.score - min) / spread : 1));
  const closest = new Float64Array(items.length);
  const comparedWith = new Uint32Array(items.length); // how many picks closest[i] accounts for
  const taken = new Uint8Array(items.length);
  const perArtist = new Map<string, number>();
  const picked: ScoredCandidate[] = [];

  const value = (i: number) => relevance[i]! - (1 - lambda) * closest[i]!;
  const refresh = (i: number) => {
    for (let p = comparedWith[i]!; p < picked.length; p++) {
      closest[i] = Math.max(closest[i]!, trackSimilarity(picked[p]!.vector, items[i]!.vector));
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
      const overCap = capped && (perArtist.get(items[i]!.track.artistId) ?? 0) >= config.maxPerArtist;
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
    if (capped) perArtist.set(chosen.track.artistId, (perArtist.get(chosen.track.artistId) ?? 0) + 1);
  }
  return picked;
}
