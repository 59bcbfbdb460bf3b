import type { Activity } from "../catalog/types";
import { contextFit } from "../context/fit";
import { ACTIVITY_TARGETS } from "../context/targets";
import { trackSimilarity, trackVector } from "./similarity";
import type { Candidate, TrackInfo } from "./types";

/** Fit a track needs to be offered for a stated activity, and to stay in the running once one is stated. */
export const STATED_CONTEXT_MIN_FIT = 0.6;
/** The listener's strongest candidates stand for their taste when tracks for the moment are looked up. */
const TASTE_ANCHORS = 12;

/**
 * The catalog's tracks that suit an activity, best fitting first: where a stated activity looks
 * for tracks beyond the listener's usual candidates. Built once per catalog and activity.
 */
export function activityPool<T extends TrackInfo>(tracks: Iterable<T>, activity: Activity): T[] {
  const targets = ACTIVITY_TARGETS[activity];
  return [...tracks]
    .map((track) => ({ track, fit: contextFit(track.features, targets) }))
    .filter((t) => t.fit >= STATED_CONTEXT_MIN_FIT)
    .sort((a, b) => b.fit - a.fit || a.track.id.localeCompare(b.track.id))
    .map((t) => t.track);
}

/**
 * Retrieval for a stated activity: the pool tracks that sound most like the listener's strongest
 * candidates, scored by that likeness. A sleep list cannot be re-ranked out of a pop fan's
 * candidates, which hold nothing to sleep to; their calmest neighbours in sound and genre can be
 * found. Tracks the listener is already offered are left to their own candidates.
 */
export function contextCandidates(
  pool: readonly TrackInfo[],
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
  return pool
    .filter((track) => !offered.has(track.id))
    .map((track) => {
      const vector = trackVector(track);
      return { track, likeness: Math.max(...anchors.map((anchor) => trackSimilarity(anchor, vector))) };
    })
    .sort((a, b) => b.likeness - a.likeness || a.track.id.localeCompare(b.track.id))
    .slice(0, count)
    .map(({ track, likeness }) => ({ trackId: track.id, score: likeness, source: "context" as const }));
}
