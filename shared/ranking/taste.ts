import type { SessionTaste } from "../session/read";
import type { RankingConfig } from "./config";
import { trackSimilarity, trackVector, type TrackVector } from "./similarity";
import type { Neighbours, ScoredCandidate, TrackInfo } from "./types";

/** A session track whose weight spreads to candidates that resemble it. */
export interface TasteSignal {
  trackId: string;
  weight: number;
  vector?: TrackVector; // absent when the track's metadata is unknown
  neighbours: ReadonlyMap<string, number>; // from the model, 0..1
}

/** The strongest session weights, each with what is needed to find its neighbours. */
export function tasteSignals(
  taste: SessionTaste,
  tracks: ReadonlyMap<string, TrackInfo>,
  neighbours: Neighbours | undefined,
  limit: number,
): TasteSignal[] {
  return [...taste.tracks]
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, limit)
    .map(([trackId, weight]) => {
      const track = tracks.get(trackId);
      const modelNeighbours = new Map<string, number>();
      for (const nb of neighbours?.(trackId) ?? []) modelNeighbours.set(nb.trackId, Math.min(1, Math.max(0, nb.score)));
      return { trackId, weight, vector: track && trackVector(track), neighbours: modelNeighbours };
    });
}

/**
 * Session taste for each candidate: its own and its artist's weight, plus every signal's weight
 * times how close the candidate is to it (content or model neighbour, whichever is closer, so the
 * two views do not count twice). An early skip thus pulls down the artist and the skipped
 * track's neighbours; a completion or repeat lifts them.
 */
export function applySessionTaste(
  items: readonly ScoredCandidate[],
  taste: SessionTaste,
  signals: readonly TasteSignal[],
  config: Pick<RankingConfig, "tasteScale" | "tasteReasonThreshold">,
): ScoredCandidate[] {
  if (taste.tracks.size === 0 && taste.artists.size === 0) return [...items];
  return items.map((item) => {
    let raw = (taste.tracks.get(item.track.id) ?? 0) + (taste.artists.get(item.track.artistId) ?? 0);
    let anchor: string | undefined,
      anchorContribution = config.tasteReasonThreshold;
    for (const signal of signals) {
      if (signal.trackId === item.track.id) continue;
      const content = signal.vector ? trackSimilarity(signal.vector, item.vector) : 0;
      const neighbour = signal.neighbours.size > 0 ? (signal.neighbours.get(item.track.id) ?? 0) : 0;
      const contribution = signal.weight * Math.max(content, neighbour);
      raw += contribution;
      if (contribution >= anchorContribution) {
        anchor = signal.trackId;
        anchorContribution = contribution;
      }
    }
    return { ...item, taste: Math.tanh(raw / config.tasteScale), tasteAnchor: anchor };
  });
}
