import { trackSimilarity, trackVector, type TrackVector } from "./similarity";
import type { TrackInfo } from "./types";

/**
 * An artist's sound: the mean of their tracks' feature vectors, with the genre most of their
 * tracks have. Shaped as a track vector so artists compare with the same kernel tracks do.
 */
export function artistProfiles(tracks: Iterable<TrackInfo>): Map<string, TrackVector> {
  const sums = new Map<string, { values: Float64Array; count: number; genres: Map<string, number> }>();
  for (const track of tracks) {
    const { values } = trackVector(track);
    let sum = sums.get(track.artistId);
    if (!sum)
      sums.set(track.artistId, (sum = { values: new Float64Array(values.length), count: 0, genres: new Map() }));
    for (let i = 0; i < values.length; i++) sum.values[i]! += values[i]!;
    sum.count++;
    sum.genres.set(track.genre, (sum.genres.get(track.genre) ?? 0) + 1);
  }
  const profiles = new Map<string, TrackVector>();
  for (const [artistId, { values, count, genres }] of sums) {
    const genre = [...genres].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    profiles.set(artistId, { genre, values: values.map((v) => v / count) });
  }
  return profiles;
}

/** 0..1, how alike two artists sound: track similarity over their profiles. */
export function artistSimilarity(a: TrackVector, b: TrackVector): number {
  return trackSimilarity(a, b);
}

/** The artists among `among` that sound most like `artistId`, closest first (ties by id), at least `min` alike. */
export function closestArtists(
  artistId: string,
  profiles: ReadonlyMap<string, TrackVector>,
  among: Iterable<string>,
  min: number,
): { artistId: string; similarity: number }[] {
  const own = profiles.get(artistId);
  if (!own) return [];
  const found: { artistId: string; similarity: number }[] = [];
  for (const other of among) {
    const profile = profiles.get(other);
    if (other === artistId || !profile) continue;
    const similarity = artistSimilarity(own, profile);
    if (similarity >= min) found.push({ artistId: other, similarity });
  }
  return found.sort((a, b) => b.similarity - a.similarity || a.artistId.localeCompare(b.artistId));
}
