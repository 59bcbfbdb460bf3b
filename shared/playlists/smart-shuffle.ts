import { isExcluded, type Exclusions } from "../ranking/filters";
import { trackSimilarity, trackVector, type TrackVector } from "../ranking/similarity";
import type { Candidate, Neighbours, Reason, TrackInfo } from "../ranking/types";
import { seededRandom, shuffle } from "../util/random";

/** One recommendation after every this many of the playlist's own tracks. */
export const TRACKS_PER_RECOMMENDATION = 3;
/** Playlist tracks whose published neighbours are read: spread over the playlist, to bound KV reads. */
export const NEIGHBOUR_SEEDS = 40;
/** How much a track the model picked for the listener gains over one that only sounds right. */
const PERSONAL_WEIGHT = 0.15;

export interface SmartShuffleInput {
  /** The playlist's tracks in their order (a track may appear twice). */
  trackIds: readonly string[];
  tracks: ReadonlyMap<string, TrackInfo>;
  /** Published neighbours of the seed tracks (see neighbourSeeds): item-to-item, nobody's history. */
  neighbours: Neighbours;
  /** The model's candidates for the listener; empty without consent to personalise. */
  candidates: readonly Candidate[];
  disliked: Exclusions;
  seed: number;
}

export type ShuffledTrack =
  { trackId: string; recommended: false } | { trackId: string; recommended: true; reason: Reason };

/** The playlist tracks whose neighbours a shuffle draws on: evenly spread, the same for every seed. */
export function neighbourSeeds(trackIds: readonly string[], count = NEIGHBOUR_SEEDS): string[] {
  const distinct = [...new Set(trackIds)];
  if (distinct.length <= count) return distinct;
  return Array.from({ length: count }, (_, i) => distinct[Math.floor((i * distinct.length) / count)]!);
}

/**
 * The playlist in a shuffled order (the same for the same seed) with one recommendation after every
 * three of its tracks: of the neighbours of its tracks and the listener's own candidates, the one
 * that sounds most like the three just played, so each pick fits where it lands. A pick is never in
 * the playlist, never disliked (nor by a disliked artist) and never picked twice; when none is left
 * the playlist plays on without one.
 */
export function smartShuffle(input: SmartShuffleInput): ShuffledTrack[] {
  const order = shuffle([...input.trackIds], seededRandom(input.seed));
  const inPlaylist = new Set(input.trackIds);
  const personal = personalScores(input.candidates);
  const vectors = new Map<string, TrackVector>();
  const vectorOf = (track: TrackInfo) => {
    let v = vectors.get(track.id);
    if (!v) vectors.set(track.id, (v = trackVector(track)));
    return v;
  };
  const pool = new Map<string, TrackInfo>();
  const offer = (id: string) => {
    const track = input.tracks.get(id);
    if (!track || inPlaylist.has(id) || isExcluded(track, input.disliked)) return;
    pool.set(id, track);
  };
  for (const seed of neighbourSeeds(input.trackIds)) for (const n of input.neighbours(seed)) offer(n.trackId);
  for (const id of personal.keys()) offer(id);

  const out: ShuffledTrack[] = [];
  for (let i = 0; i < order.length; i++) {
    out.push({ trackId: order[i]!, recommended: false });
    if ((i + 1) % TRACKS_PER_RECOMMENDATION !== 0) continue;
    const group = order
      .slice(i + 1 - TRACKS_PER_RECOMMENDATION, i + 1)
      .flatMap((id) => input.tracks.get(id) ?? [])
      .map((track) => ({ track, vector: vectorOf(track) }));
    if (group.length === 0) continue;
    let best: { track: TrackInfo; anchor: TrackInfo; score: number } | null = null;
    for (const candidate of pool.values()) {
      const v = vectorOf(candidate);
      let likeness = -1;
      let anchor = group[0]!.track;
      for (const g of group) {
        const s = trackSimilarity(g.vector, v);
        if (s > likeness) [likeness, anchor] = [s, g.track];
      }
      const score = likeness + PERSONAL_WEIGHT * (personal.get(candidate.id) ?? 0);
      if (!best || score > best.score || (score === best.score && candidate.id < best.track.id))
        best = { track: candidate, anchor, score };
    }
    if (!best) continue;
    pool.delete(best.track.id);
    out.push({
      trackId: best.track.id,
      recommended: true,
      reason: { code: "fits_playlist", text: `Sounds like ${best.anchor.title}, in this playlist` },
    });
  }
  return out;
}

/** The listener's candidates scaled to 0..1 by their best score. */
function personalScores(candidates: readonly Candidate[]): Map<string, number> {
  const top = Math.max(0, ...candidates.map((c) => c.score));
  return new Map(candidates.map((c) => [c.trackId, top > 0 ? Math.max(0, c.score) / top : 0]));
}
