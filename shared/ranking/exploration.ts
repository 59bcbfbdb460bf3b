import type { RankingConfig } from "./config";
import { isExcluded, type Exclusions } from "./filters";
import { isNewRelease } from "./freshness";
import { fnv1a } from "../util/hash";
import { similarAbove, trackVector, type TrackVector } from "./similarity";
import type { ScoredCandidate, TrackInfo } from "./types";

/** Whole exploration slots in a list of n; the epsilon stops 0.29 * 100 from flooring to 28. */
export function explorationSlots(n: number, share: number): number {
  return Math.floor(n * share + 1e-9);
}

/** What the listener already knows: exploration must come from outside it. */
export interface Neighbourhood {
  trackIds: ReadonlySet<string>; // heard, or already offered by the model
  artistIds: ReadonlySet<string>;
  vectors: readonly TrackVector[];
}

/**
 * Unheard pool tracks, not excluded and by other artists. Likeness to the neighbourhood is left to
 * `unlikeNeighbourhood` at draw time: it compares each track with every anchor, and only the few
 * drawn tracks need it.
 */
export function explorationCandidates(
  pool: readonly TrackInfo[],
  neighbourhood: Neighbourhood,
  exclusions: Exclusions,
): ScoredCandidate[] {
  const seen = new Set<string>();
  const out: ScoredCandidate[] = [];
  for (const track of pool) {
    if (seen.has(track.id) || neighbourhood.trackIds.has(track.id) || neighbourhood.artistIds.has(track.artistId))
      continue;
    if (isExcluded(track, exclusions)) continue;
    seen.add(track.id);
    out.push({
      track,
      vector: trackVector(track),
      source: "exploration",
      because: undefined,
      model: 0,
      taste: 0,
      tasteAnchor: undefined,
      fit: 0.5,
      score: 0,
    });
  }
  return out;
}

/** Whether a candidate is unlike everything in the neighbourhood: a surprise, not more of the same. */
export function unlikeNeighbourhood(
  neighbourhood: Neighbourhood,
  maxSimilarity: number,
): (candidate: ScoredCandidate) => boolean {
  const tooSimilar = similarAbove(maxSimilarity);
  return (candidate) => !neighbourhood.vectors.some((anchor) => tooSimilar(anchor, candidate.vector));
}

/**
 * Draws `count` items without replacement, weighted towards tracks that fit the context (a
 * surprise should still suit the moment) and towards new releases, among those `accept` takes.
 * A drawn item that `accept` refuses is set aside and the draw made again: the same chances as
 * drawing from the accepted items alone, while only drawn items are tested.
 */
export function sampleExploration(
  items: readonly ScoredCandidate[],
  count: number,
  now: number,
  config: Pick<RankingConfig, "newReleaseDays" | "newReleaseBoost">,
  random: () => number,
  accept: (item: ScoredCandidate) => boolean = () => true,
): ScoredCandidate[] {
  const remaining = items.map((item) => ({
    item,
    weight:
      (0.25 + item.fit) *
      (isNewRelease(item.track.releaseDate, now, config.newReleaseDays) ? config.newReleaseBoost : 1),
  }));
  let total = remaining.reduce((sum, r) => sum + r.weight, 0);
  const picked: ScoredCandidate[] = [];
  while (picked.length < count && remaining.length > 0) {
    let target = random() * total;
    let index = 0;
    while (index < remaining.length - 1 && (target -= remaining[index]!.weight) >= 0) index++;
    const drawn = remaining.splice(index, 1)[0]!;
    total -= drawn.weight;
    if (accept(drawn.item)) picked.push(drawn.item);
  }
  return picked;
}

/**
 * Places one exploration item in each equal block of the list, at a random place other than the
 * block's first, so the very top is always the best-known pick.
 */
export function interleave<T>(ranked: readonly T[], exploration: readonly T[], n: number, random: () => number): T[] {
  const positions = new Set<number>();
  const block = n / Math.max(1, exploration.length);
  for (let j = 0; j < exploration.length; j++) {
    const start = Math.floor(j * block),
      end = Math.floor((j + 1) * block);
    positions.add(start + 1 + Math.floor(random() * Math.max(0, end - start - 1)));
  }
  const out: T[] = [];
  let r = 0,
    e = 0;
  for (let position = 0; position < n && (r < ranked.length || e < exploration.length); position++) {
    const takeExploration = e < exploration.length && (positions.has(position) || r >= ranked.length);
    out.push(takeExploration ? exploration[e++]! : ranked[r++]!);
  }
  return out;
}

const DAY_MS = 86_400_000;

/** A seed stable for one listener for one UTC day, so exploration changes daily but not per request. */
export function explorationSeed(listenerId: string, now: number): number {
  return fnv1a(`${listenerId}:${Math.floor(now / DAY_MS)}`);
}
