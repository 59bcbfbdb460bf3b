import { NEUTRAL_FEATURES } from "../catalog/features";
// Test-only: generated tracks and candidates shared by the ranking tests.
import type { AudioFeatures } from "../catalog/types";
import { seededRandom } from "../util/random";
import type { Candidate, TrackInfo } from "./types";

export const NOW = Date.UTC(2025, 5, 1, 18, 0);
export const GENRES = ["rock", "pop", "jazz", "electronic", "classical", "hiphop", "folk", "metal", "soul", "ambient"];

export const BASE_FEATURES: AudioFeatures = NEUTRAL_FEATURES;

export function makeTrack(
  id: string,
  overrides: Partial<Omit<TrackInfo, "features">> & { features?: Partial<AudioFeatures> } = {},
): TrackInfo {
  const { features, ...rest } = overrides;
  return {
    id,
    title: `Title ${id}`,
    artistId: `artist-${id}`,
    artistName: `Artist ${id}`,
    genre: "pop",
    releaseDate: "2020-01-01",
    popularity: 0.5,
    ...rest,
    features: { ...BASE_FEATURES, ...features },
  };
}

export interface GenerateOptions {
  prefix?: string;
  artists?: number;
  genres?: readonly string[];
  releaseDate?: string;
}

/** Random tracks; each artist sticks to one genre, as most do. */
export function generateTracks(count: number, seed: number, options: GenerateOptions = {}): TrackInfo[] {
  const { prefix = "t", artists = Math.ceil(count / 4), genres = GENRES, releaseDate = "2019-05-05" } = options;
  const rnd = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const artist = Math.floor(rnd() * artists);
    return makeTrack(`${prefix}${i}`, {
      artistId: `${prefix}-artist${artist}`,
      artistName: `Artist ${artist}`,
      genre: genres[artist % genres.length]!,
      popularity: rnd(),
      releaseDate,
      features: {
        tempo: 50 + rnd() * 150,
        energy: rnd(),
        valence: rnd(),
        danceability: rnd(),
        acousticness: rnd(),
        instrumentalness: rnd(),
        speechiness: rnd() * 0.5,
        loudness: -30 + rnd() * 28,
      },
    });
  });
}

export function modelCandidates(tracks: readonly TrackInfo[], seed: number): Candidate[] {
  const rnd = seededRandom(seed);
  return tracks.map((t) => ({ trackId: t.id, score: rnd() * 10, source: "model" as const }));
}

export const byId = (tracks: readonly TrackInfo[]): Map<string, TrackInfo> => new Map(tracks.map((t) => [t.id, t]));
