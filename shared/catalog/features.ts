import type { AudioFeatures, Track } from "./types";

/**
 * Audio features scaled to comparable 0..1 ranges, so that distances weigh tempo and loudness
 * like the other features. The one definition of "how a track sounds" used by the model's content
 * part and by request-time similarity.
 */
export function featureVector(f: AudioFeatures): number[] {
  return [
    clamp01((f.tempo - 50) / 150),
    f.energy,
    f.valence,
    f.danceability,
    f.acousticness,
    f.instrumentalness,
    f.speechiness,
    clamp01((f.loudness + 40) / 40),
  ];
}

/** Mid-range features for tracks whose sound is unknown (HetRec artists), so context neither favours nor buries them. */
export const NEUTRAL_FEATURES: AudioFeatures = {
  tempo: 120,
  energy: 0.5,
  valence: 0.5,
  danceability: 0.5,
  acousticness: 0.5,
  instrumentalness: 0.1,
  speechiness: 0.05,
  loudness: -8,
  key: 0,
  mode: 1,
  durationMs: 200_000,
};

/** The genre of tracks nobody has described (HetRec artists nobody tagged). */
export const UNKNOWN_GENRE = "unknown";

/**
 * The one spelling of a genre. Sources disagree on case ("Reggae", "reggae"), spacing and apostrophes
 * ("Children’s Music"), and each spelling would otherwise be a genre of its own to content
 * similarity, onboarding and anyone reading the catalog.
 */
export function genreName(raw: string): string {
  return raw
    .normalize("NFKC")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/**
 * Descriptive tags of a track for the content part: its genre and its artist. An unknown genre is no
 * likeness: it would make every undescribed track a content neighbour of every other.
 */
export function contentTags(t: Pick<Track, "genre" | "artistId">): string[] {
  const genre = genreName(t.genre);
  return [...(genre === UNKNOWN_GENRE ? [] : [`genre:${genre}`]), `artist:${t.artistId}`];
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
