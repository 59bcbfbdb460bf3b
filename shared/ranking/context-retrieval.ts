import type { Activity } from "../catalog/types";
import { contextFit } from "../context/fit";
import { ACTIVITY_TARGETS } from "../context/targets";
import { trackSimilarity, trackVector, type TrackVector } from "./similarity";
import type { Candidate, TrackInfo } from "./types";

/** Fit a track needs to be offered for a stated activity, and to stay in the running once one is stated. */
export const STATED_CONTEXT_MIN_FIT = 0.6;
/** The listener's strongest candidates stand for their taste when tracks for the moment are looked up. */
const TASTE_ANCHORS = 12;

/** A track that suits the activity, with the vector its likeness to a listener is computed on. */
interface PoolEntry {
  track: TrackInfo;
  vector: TrackVector;
}

/** The catalog's tracks that suit one activity, by genre: built once per catalog and activity. */
export interface ActivityPool {
  byGenre: ReadonlyMap<string, readonly PoolEntry[]>;
}

/** Where a stated activity looks for tracks beyond the listener's usual candidates. */
export function activityPool(tracks: Iterable<TrackInfo>, activity: Activity): ActivityPool {
  const targets = ACTIVITY_TARGETS[activity];
  const byGenre = new Map<string, PoolEntry[]>();
  for (const track of tracks) {
    if (contextFit(track.features, targets) < STATED_CONTEXT_MIN_FIT) continue;
    const entries = byGenre.get(track.genre) ?? [];
    if (entries.length === 0) byGenre.set(track.genre, entries);
    entries.push({ track, vector: trackVector(track) });
  }
  return { byGenre };
}

/**
 * Retrieval for a stated activity: the pool tracks that sound most like the listener's strongest
 * candidates, scored by that likeness. A sleep list cannot be re-ranked out of a pop fan's
 * candidates, which hold nothing to sleep to; their calmest neighbours in sound and genre can be
 * found. The listener's own genres are searched first, and the rest of the pool only when they
 * hold too few (a same-genre track is at least as alike as most others: similarity gives genre a
 * fixed share). Tracks the listener is already offered are left to their own candidates.
 */
export function contextCandidates(
  pool: ActivityPool,
  candidates: readonly Candidate[],
  tracks: ReadonlyMap<string, TrackInfo>,
  count: number,
): Candidate[] {
  const offered = new Set(candidates.map((c) => c.trackId));
  const anchors = [...candidates]
    .filter((c) => c.source === "model" || c.source === "similar")
    .sort((a, b) => b.score - a.score)
    .flatMap((c) => tracks.get(c.trackId) ?? [])
    .slice(0, TASTE_ANCHORS)
    .map(trackVector);
  if (anchors.length === 0) return [];
  const ownGenres = new Set(anchors.map((a) => a.genre));
  const scored: { track: TrackInfo; likeness: number }[] = [];
  const scan = (entries: readonly PoolEntry[]) => {
    for (const { track, vector } of entries) {
      if (offered.has(track.id)) continue;
      let likeness = 0;
      for (const anchor of anchors) likeness = Math.max(likeness, trackSimilarity(anchor, vector));
      scored.push({ track, likeness });
    }
  };
  for (const genre of ownGenres) scan(pool.byGenre.get(genre) ?? []);
  if (scored.length < count) for (const [genre, entries] of pool.byGenre) if (!ownGenres.has(genre)) scan(entries);
  return scored
    .sort((a, b) => b.likeness - a.likeness || a.track.id.localeCompare(b.track.id))
    .slice(0, count)
    .map(({ track, likeness }) => ({ trackId: track.id, score: likeness, source: "context" as const }));
}
