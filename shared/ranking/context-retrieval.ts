import { contextFit } from "../context/fit";
import type { ContextLabel } from "../context/resolve";
import { CONTEXT_TARGETS, TARGET_FEATURES, type FeatureTargets } from "../context/targets";
import { topK } from "../model/topK";
import { trackSimilarity, type TrackVector } from "./similarity";
import type { Candidate, TrackInfo } from "./types";

/** Fit a track needs to be offered for a stated activity, and to stay in the running once one is stated. */
export const STATED_CONTEXT_MIN_FIT = 0.6;
/** Catalog tracks a pool track's centrality is measured against: enough for a stable mean, cheap per pool. */
const CENTRALITY_SAMPLE = 400;
/** The listener's strongest candidates stand for their taste when tracks for the moment are looked up. */
const TASTE_ANCHORS = 12;

/** Every feature a track's sound is described by. */
const SOUND_FEATURES = [...TARGET_FEATURES, "loudness"] as const;
type SoundFeature = (typeof SOUND_FEATURES)[number];

/** A track that suits the context, placed among the context's tracks on the features it leaves free. */
export interface PoolEntry {
  track: TrackInfo;
  vector: TrackVector;
  /**
   * How alike the track is to the catalog at large (mean likeness to a sample of it). Central
   * tracks are close to every listener's tracks at once (hubs), so a list ranked on likeness
   * alone gives them to everyone; lists that must be personal weigh likeness against this.
   */
  centrality: number;
}

/** The catalog's tracks that suit one activity or time of day, by genre: built once per catalog and context. */
export interface ActivityPool {
  targets: FeatureTargets;
  byGenre: ReadonlyMap<string, readonly PoolEntry[]>;
  /** A catalog track placed in the catalog as the entries are placed in the pool, so the two compare. */
  place: (track: TrackInfo) => TrackVector;
}

/**
 * Where a context looks for tracks beyond the listener's usual candidates. Likeness to a listener
 * is taken on the features the context does not decide (for sleep: all but energy and
 * acousticness), each as a percentile: a track's rank among the pool's tracks, against a
 * listener's track's rank among the catalog's. A loud listener's tracks are far from every calm
 * one in plain distance, so all calm tracks would tie and every loud listener would get the
 * same sleep list; by rank, the brightest, most danceable fan gets the brightest, most danceable
 * of the calm tracks, the darkest fan the darkest, and the context keeps the features it is about.
 */
export function activityPool(tracks: Iterable<TrackInfo>, label: ContextLabel): ActivityPool {
  const targets = CONTEXT_TARGETS[label];
  const catalog = [...tracks];
  const members = catalog.filter((track) => contextFit(track.features, targets) >= STATED_CONTEXT_MIN_FIT);
  const free = SOUND_FEATURES.filter((f) => f === "loudness" || (targets[f]?.weight ?? 0) < 1);
  const inCatalog = ranksAmong(catalog, free);
  const inPool = ranksAmong(members, free);
  const step = Math.max(1, Math.floor(catalog.length / CENTRALITY_SAMPLE));
  const sample = catalog.filter((_, i) => i % step === 0).map((t) => ({ genre: t.genre, values: inCatalog(t) }));
  const byGenre = new Map<string, PoolEntry[]>();
  for (const track of members) {
    const entries = byGenre.get(track.genre) ?? [];
    if (entries.length === 0) byGenre.set(track.genre, entries);
    const vector = { genre: track.genre, values: inPool(track) };
    let centrality = 0;
    for (const other of sample) centrality += trackSimilarity(other, vector);
    entries.push({
      track,
      vector,
      centrality: centrality / Math.max(1, sample.length),
    });
  }
  return { targets, byGenre, place: (track) => ({ genre: track.genre, values: inCatalog(track) }) };
}

/** Each feature's value as its mid-rank among `tracks`, 0..1. */
function ranksAmong(tracks: readonly TrackInfo[], features: readonly SoundFeature[]) {
  const columns = features.map((f) => Float64Array.from(tracks, (t) => t.features[f]).sort());
  const n = Math.max(1, tracks.length);
  return (track: TrackInfo) =>
    Float64Array.from(features, (f, i) => {
      const column = columns[i]!,
        value = track.features[f];
      return (firstIndex(column, (x) => x >= value) + firstIndex(column, (x) => x > value)) / 2 / n;
    });
}

function firstIndex(sorted: Float64Array, test: (x: number) => boolean): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (test(sorted[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A pool track found for a listener, with the track of theirs it is most like. */
export interface ContextMatch {
  track: TrackInfo;
  /** Mean similarity to the listener's anchors (see contextMatches). */
  likeness: number;
  /** The track's centrality in the pool (see PoolEntry). */
  centrality: number;
  anchor: TrackInfo;
}

/**
 * The pool tracks that sound most like the listener's `anchors` (their strongest tracks), best
 * first, among those `admit` lets through. The listener's own genres are searched first, and the
 * rest of the pool only when they hold too few (a same-genre track is at least as alike as most
 * others: similarity gives genre a fixed share). Likeness is the mean similarity to all anchors,
 * not to the closest one: a genre then counts by its share of the listener's anchors, so one
 * stray anchor (a calm track a hip-hop fan once played from the chart) does not make the whole
 * of its genre theirs, and a track counts by how much of their taste it is near.
 */
export function contextMatches(
  pool: ActivityPool,
  anchors: readonly TrackInfo[],
  count: number,
  admit: (entry: PoolEntry) => boolean = () => true,
): ContextMatch[] {
  const placed = anchors.map((track) => ({ track, vector: pool.place(track) }));
  if (placed.length === 0) return [];
  const ownGenres = new Set(anchors.map((a) => a.genre));
  // Every admitted entry is scored, but only the best `count` become matches: a stated activity
  // scans thousands of entries for a few dozen, and sorting them all was most of the lookup.
  const entries: PoolEntry[] = [];
  const likeness: number[] = [];
  const closestAnchor: TrackInfo[] = [];
  const scan = (genreEntries: readonly PoolEntry[]) => {
    for (const entry of genreEntries) {
      if (!admit(entry)) continue;
      let total = 0,
        closest = -1,
        anchor = placed[0]!.track;
      for (const a of placed) {
        const s = trackSimilarity(a.vector, entry.vector);
        total += s;
        if (s > closest) {
          closest = s;
          anchor = a.track;
        }
      }
      entries.push(entry);
      likeness.push(total / placed.length);
      closestAnchor.push(anchor);
    }
  };
  for (const genre of ownGenres) scan(pool.byGenre.get(genre) ?? []);
  if (entries.length < count) for (const [genre, rest] of pool.byGenre) if (!ownGenres.has(genre)) scan(rest);
  // Ties go to the entry scanned first, so the answer repeats for the same pool and anchors.
  return topK(likeness, Math.min(count, entries.length)).map(({ item, score }) => ({
    track: entries[item]!.track,
    likeness: score,
    centrality: entries[item]!.centrality,
    anchor: closestAnchor[item]!,
  }));
}

/** The tracks that stand for a listener's taste among their candidates: the model's strongest offers. */
export function tasteAnchors(
  candidates: readonly Candidate[],
  tracks: ReadonlyMap<string, TrackInfo>,
  count = TASTE_ANCHORS,
): TrackInfo[] {
  return [...candidates]
    .filter((c) => c.source === "model" || c.source === "similar")
    .sort((a, b) => b.score - a.score)
    .flatMap((c) => tracks.get(c.trackId) ?? [])
    .slice(0, count);
}

/**
 * Retrieval for a stated activity: the pool tracks that sound most like the listener's strongest
 * candidates, scored by that likeness. A sleep list cannot be re-ranked out of a pop fan's
 * candidates, which hold nothing to sleep to; their calm counterparts can be found. Tracks the
 * listener is already offered are left to their own candidates.
 */
export function contextCandidates(
  pool: ActivityPool,
  candidates: readonly Candidate[],
  tracks: ReadonlyMap<string, TrackInfo>,
  count: number,
): Candidate[] {
  const offered = new Set(candidates.map((c) => c.trackId));
  return contextMatches(pool, tasteAnchors(candidates, tracks), count, (e) => !offered.has(e.track.id)).map(
    ({ track, likeness }) => ({ trackId: track.id, score: likeness, source: "context" as const }),
  );
}
