import { featureVector } from "../catalog/features";
import type { TrackInfo } from "./types";

/** Audio features scaled to 0..1 plus genre: what content similarity is computed over. */
export interface TrackVector {
  genre: string;
  values: Float64Array;
}

/**
 * Each track's vector, made once per track object: a request ranks hundreds of tracks the isolate holds
 * for the whole version (tracks are never changed once read), so vectors are not rebuilt per request.
 * Held weakly, so a vector goes with its track when the isolate drops the shard that held it.
 */
const vectors = new WeakMap<TrackInfo, TrackVector>();

/** The track's vector; shared between callers, so never changed by them. */
export function trackVector(track: TrackInfo): TrackVector {
  let vector = vectors.get(track);
  if (!vector) {
    vector = { genre: track.genre, values: Float64Array.from(featureVector(track.features)) };
    vectors.set(track, vector);
  }
  return vector;
}

// Two random tracks are about 0.4 apart (RMS), close neighbours under 0.1; this width makes the
// feature part near 0 for the former and near 1 for the latter.
const KERNEL_WIDTH = 0.2;
const GENRE_SHARE = 0.35;

// Past this many squared widths the kernel is below 1e-4: treat as zero and skip exp(), which
// is most pairs and most of the cost on the request path.
const NEGLIGIBLE_SQUARED_WIDTHS = 9;

/** 0..1: a sharp kernel over feature distance, plus a share for the same genre. */
export function trackSimilarity(a: TrackVector, b: TrackVector): number {
  return similarityOf(a, b, squaredDistance(a.values, b.values, Infinity));
}

function similarityOf(a: TrackVector, b: TrackVector, squared: number): number {
  const scaled = squared / a.values.length / (KERNEL_WIDTH * KERNEL_WIDTH);
  const features = scaled < NEGLIGIBLE_SQUARED_WIDTHS ? Math.exp(-scaled) : 0;
  return (1 - GENRE_SHARE) * features + (a.genre === b.genre ? GENRE_SHARE : 0);
}

/** The squared distance, or, once the sum reaches `stopAt`, the partial sum (at least `stopAt`). */
function squaredDistance(x: Float64Array, y: Float64Array, stopAt: number): number {
  let squared = 0;
  for (let i = 0; i < x.length && squared < stopAt; i++) {
    const d = x[i]! - y[i]!;
    squared += d * d;
  }
  return squared;
}

// Far past any float rounding of the kernel, and far below any likeness a threshold can tell apart.
const CUTOFF_MARGIN = 1e-6;

/**
 * `(a, b) => trackSimilarity(a, b) > threshold`, answering the same for every pair, but stopping the
 * distance sum as soon as it is too far for the kernel to reach the threshold: exploration asks this
 * of every pool track against every anchor, and most pairs are far apart (another genre needs a
 * feature distance under a third of a kernel width), so most sums stop after a feature or two.
 */
export function similarAbove(threshold: number): (a: TrackVector, b: TrackVector) => boolean {
  // The squared feature distance, in squared kernel widths, past which the kernel is below what the
  // pair needs (plus the margin, so rounding cannot make a stopped pair answer otherwise). Infinity,
  // the whole sum, where distance decides nothing: the genre share alone passes the threshold, or
  // not even identical features would.
  const cutoff = (genreShare: number) => {
    const needed = (threshold - genreShare) / (1 - GENRE_SHARE);
    return needed > 0 && needed < 1 ? -Math.log(needed) + CUTOFF_MARGIN : Infinity;
  };
  const sameGenre = cutoff(GENRE_SHARE),
    otherGenre = cutoff(0);
  return (a, b) => {
    const widths = a.genre === b.genre ? sameGenre : otherGenre;
    const stopAt = widths * a.values.length * KERNEL_WIDTH * KERNEL_WIDTH;
    const squared = squaredDistance(a.values, b.values, stopAt);
    return squared < stopAt && similarityOf(a, b, squared) > threshold;
  };
}
