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
  const x = a.values,
    y = b.values;
  let squared = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!;
    squared += d * d;
  }
  const scaled = squared / x.length / (KERNEL_WIDTH * KERNEL_WIDTH);
  const features = scaled < NEGLIGIBLE_SQUARED_WIDTHS ? Math.exp(-scaled) : 0;
  return (1 - GENRE_SHARE) * features + (a.genre === b.genre ? GENRE_SHARE : 0);
}
