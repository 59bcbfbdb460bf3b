import type { RankingConfig } from "./config";
import { trackVector } from "./similarity";
import type { Candidate, CandidateSource, ScoredCandidate, TrackInfo } from "./types";

function scoreRanges(candidates: readonly Candidate[]): Map<CandidateSource, { min: number; max: number }> {
  const ranges = new Map<CandidateSource, { min: number; max: number }>();
  for (const c of candidates) {
    if (!Number.isFinite(c.score)) continue;
    const range = ranges.get(c.source);
    if (!range) ranges.set(c.source, { min: c.score, max: c.score });
    else {
      range.min = Math.min(range.min, c.score);
      range.max = Math.max(range.max, c.score);
    }
  }
  return ranges;
}

/**
 * Joins candidates with their metadata and puts every source on one 0..1 scale (min-max within
 * the source, times its weight), since sources score on unrelated scales. A track offered by
 * several sources keeps its best offer; candidates without metadata cannot be ranked and are dropped.
 */
export function prepareCandidates(
  candidates: readonly Candidate[],
  tracks: ReadonlyMap<string, TrackInfo>,
  sourceWeights: RankingConfig["sourceWeights"],
): ScoredCandidate[] {
  const ranges = scoreRanges(candidates);
  const best = new Map<string, ScoredCandidate>();
  for (const c of candidates) {
    const track = tracks.get(c.trackId);
    const range = ranges.get(c.source);
    if (!track || !range || !Number.isFinite(c.score)) continue;
    const spread = range.max - range.min;
    const model = (spread > 0 ? (c.score - range.min) / spread : 1) * sourceWeights[c.source];
    const previous = best.get(c.trackId);
    if (previous && previous.model >= model) continue;
    best.set(c.trackId, {
      track,
      vector: previous?.vector ?? trackVector(track),
      source: c.source,
      because: c.because,
      model,
      taste: 0,
      tasteAnchor: undefined,
      fit: 0.5,
      score: model,
    });
  }
  return [...best.values()];
}
