export const DEMO_GENRES = [
  "pop",
  "rock",
  "hip-hop",
  "electronic",
  "jazz",
  "classical",
  "ambient",
  "metal",
  "folk",
  "r&b",
  "latin",
  "country",
  "indie",
  "punk",
  "soul",
  "reggae",
] as const;
export type DemoGenre = (typeof DEMO_GENRES)[number];

/** Typical values of a genre; artists deviate from them and tracks from their artist. */
export interface GenreProfile {
  /** Relative number of artists, so mainstream genres have deeper benches. */
  share: number;
  tempo: number;
  tempoSpread: number;
  energy: number;
  valence: number;
  danceability: number;
  acousticness: number;
  instrumentalness: number;
  speechiness: number;
  durationSec: number;
  majorProbability: number;
  /** Genres an artist crosses over into and listeners pair it with. */
  related: readonly DemoGenre[];
}

const profile = (
  share: number,
  tempo: number,
  tempoSpread: number,
  energy: number,
  valence: number,
  danceability: number,
  acousticness: number,
  instrumentalness: number,
  speechiness: number,
  durationSec: number,
  majorProbability: number,
  related: readonly DemoGenre[],
): GenreProfile => ({
  share,
  tempo,
  tempoSpread,
  energy,
  valence,
  danceability,
  acousticness,
  instrumentalness,
  speechiness,
  durationSec,
  majorProbability,
  related,
});

export const GENRE_PROFILES: Record<DemoGenre, GenreProfile> = {
  //                 share tempo  ±   energy valence dance acoustic instr speech  dur  major related
  pop: profile(1.6, 118, 14, 0.68, 0.62, 0.7, 0.18, 0.02, 0.07, 210, 0.7, ["r&b", "electronic", "indie", "latin"]),
  rock: profile(1.4, 126, 18, 0.76, 0.5, 0.5, 0.1, 0.06, 0.05, 235, 0.65, ["indie", "punk", "metal", "folk"]),
  "hip-hop": profile(1.4, 95, 16, 0.66, 0.52, 0.78, 0.14, 0.01, 0.3, 200, 0.5, ["r&b", "pop", "electronic", "soul"]),
  electronic: profile(1.3, 126, 10, 0.8, 0.45, 0.72, 0.05, 0.6, 0.06, 330, 0.45, ["ambient", "pop", "hip-hop"]),
  jazz: profile(0.7, 112, 25, 0.4, 0.52, 0.55, 0.7, 0.45, 0.05, 340, 0.55, ["soul", "classical", "r&b"]),
  classical: profile(0.6, 92, 25, 0.18, 0.3, 0.25, 0.93, 0.9, 0.04, 420, 0.55, ["ambient", "jazz"]),
  ambient: profile(0.5, 76, 14, 0.15, 0.22, 0.25, 0.85, 0.88, 0.04, 380, 0.45, ["electronic", "classical"]),
  metal: profile(0.8, 150, 22, 0.93, 0.28, 0.38, 0.02, 0.12, 0.09, 300, 0.35, ["rock", "punk"]),
  folk: profile(0.7, 108, 18, 0.35, 0.48, 0.48, 0.82, 0.08, 0.04, 215, 0.7, ["country", "indie", "rock"]),
  "r&b": profile(1.0, 100, 14, 0.55, 0.55, 0.68, 0.22, 0.02, 0.1, 225, 0.5, ["soul", "hip-hop", "pop"]),
  latin: profile(1.0, 112, 16, 0.74, 0.74, 0.78, 0.2, 0.02, 0.08, 205, 0.6, ["pop", "reggae"]),
  country: profile(0.9, 115, 16, 0.6, 0.62, 0.58, 0.38, 0.01, 0.04, 200, 0.85, ["folk", "rock"]),
  indie: profile(1.1, 120, 18, 0.58, 0.45, 0.55, 0.35, 0.1, 0.04, 225, 0.6, ["rock", "folk", "pop", "electronic"]),
  punk: profile(0.6, 170, 14, 0.9, 0.5, 0.42, 0.03, 0.03, 0.07, 150, 0.7, ["rock", "metal", "indie"]),
  soul: profile(0.6, 104, 14, 0.52, 0.62, 0.62, 0.38, 0.03, 0.06, 220, 0.65, ["r&b", "jazz", "reggae"]),
  reggae: profile(0.5, 80, 10, 0.56, 0.72, 0.75, 0.2, 0.05, 0.09, 230, 0.7, ["latin", "soul", "hip-hop"]),
};

export const GENRE_SHARES: readonly number[] = DEMO_GENRES.map((genre) => GENRE_PROFILES[genre].share);
