import type { Track } from "../catalog/types";
import type { DemoCatalog } from "./catalog";
import { DEMO_GENRES, GENRE_PROFILES, GENRE_SHARES } from "./genres";
import { chance, clamp, gaussian, intBetween, pickWeighted, sampleWithoutReplacement, type Random } from "./sampling";

const TASTE_CLUSTER_COUNT = 24;
const CLUSTER_FAVOURITES = 30;
const LISTENER_FAVOURITES = 18;
/** Main genre's share of a cluster's listening; related genres split the rest. */
const MAIN_GENRE_WEIGHT = 0.65;
const SECOND_CLUSTER_SHARE = 0.3;
const SECOND_CLUSTER_WEIGHT = 0.3;
/** How far (in energy/valence units) a sound may be from a preference and still please. */
const SOUND_TOLERANCE = 0.2;

/** A group of listeners with the same genre mix and mood, hence the same favourite artists. */
export interface TasteCluster {
  genreWeights: Map<string, number>;
  energy: number;
  valence: number;
  /** Artist indexes, most characteristic first. */
  favouriteArtists: number[];
}

/** One listener's hidden taste: the blend of their clusters plus personal picks among the clusters' favourites. */
export interface ListenerTaste {
  clusters: number[];
  genreWeights: Map<string, number>;
  topGenreWeight: number;
  energy: number;
  valence: number;
  favouriteArtists: number[];
  favouriteWeights: number[];
  isFavourite: Set<number>;
}

export interface ArtistSound {
  genre: string;
  energy: number;
  valence: number;
}

export function artistSounds(catalog: DemoCatalog): ArtistSound[] {
  const indexById = new Map(catalog.artists.map((artist, i) => [artist.id, i]));
  const sums = catalog.artists.map(() => ({ energy: 0, valence: 0, count: 0 }));
  for (const track of catalog.tracks) {
    const sum = sums[indexById.get(track.artistId)!]!;
    sum.energy += track.features.energy;
    sum.valence += track.features.valence;
    sum.count++;
  }
  return catalog.artists.map((artist, i) => {
    const { energy, valence, count } = sums[i]!;
    return { genre: artist.genres[0]!, energy: energy / count, valence: valence / count };
  });
}

function soundFit(energy: number, valence: number, preferredEnergy: number, preferredValence: number): number {
  const distanceSquared = (energy - preferredEnergy) ** 2 + (valence - preferredValence) ** 2;
  return Math.exp(-distanceSquared / (2 * SOUND_TOLERANCE ** 2));
}

/** Every genre anchors at least one cluster; the remaining clusters follow genre size. */
export function buildTasteClusters(
  random: Random,
  sounds: ArtistSound[],
  artistPopularity: Float64Array,
): TasteCluster[] {
  const artistIndexes = sounds.map((_, i) => i);
  return Array.from({ length: TASTE_CLUSTER_COUNT }, (_, k) => {
    const mainGenre = DEMO_GENRES[k] ?? pickWeighted(random, DEMO_GENRES, GENRE_SHARES);
    const related = GENRE_PROFILES[mainGenre].related;
    const partners = sampleWithoutReplacement(
      random,
      related,
      related.map(() => 1),
      intBetween(random, 1, 2),
    );
    const genreWeights = new Map<string, number>([[mainGenre, MAIN_GENRE_WEIGHT]]);
    for (const partner of partners) genreWeights.set(partner, (1 - MAIN_GENRE_WEIGHT) / partners.length);

    const typical = (feature: "energy" | "valence") =>
      MAIN_GENRE_WEIGHT * GENRE_PROFILES[mainGenre][feature] +
      partners.reduce((sum, partner) => sum + GENRE_PROFILES[partner][feature], 0) *
        ((1 - MAIN_GENRE_WEIGHT) / partners.length);
    // Moods vary inside a genre: sad indie and sunny indie fans like different bands.
    const energy = clamp(gaussian(random, typical("energy"), 0.1), 0.05, 0.95);
    const valence = clamp(gaussian(random, typical("valence"), 0.15), 0.05, 0.95);

    const appeal = sounds.map(
      (sound, i) =>
        (genreWeights.get(sound.genre) ?? 0) *
        Math.sqrt(artistPopularity[i]!) *
        soundFit(sound.energy, sound.valence, energy, valence),
    );
    const favouriteArtists = sampleWithoutReplacement(random, artistIndexes, appeal, CLUSTER_FAVOURITES);
    return { genreWeights, energy, valence, favouriteArtists };
  });
}

export function createListenerTaste(random: Random, clusters: TasteCluster[], clusterShares: number[]): ListenerTaste {
  const clusterCount = chance(random, SECOND_CLUSTER_SHARE) ? 2 : 1;
  const chosen = sampleWithoutReplacement(
    random,
    clusters.map((_, i) => i),
    clusterShares,
    clusterCount,
  );
  const mix = clusterCount === 1 ? [1] : [1 - SECOND_CLUSTER_WEIGHT, SECOND_CLUSTER_WEIGHT];

  const genreWeights = new Map<string, number>();
  let energy = 0;
  let valence = 0;
  const favouriteArtists: number[] = [];
  const favouriteWeights: number[] = [];
  chosen.forEach((clusterIndex, c) => {
    const cluster = clusters[clusterIndex]!;
    const share = mix[c]!;
    for (const [genre, weight] of cluster.genreWeights)
      genreWeights.set(genre, (genreWeights.get(genre) ?? 0) + share * weight);
    energy += share * cluster.energy;
    valence += share * cluster.valence;
    const centrality = cluster.favouriteArtists.map((_, rank) => 1 / Math.sqrt(rank + 1));
    const picks = sampleWithoutReplacement(
      random,
      cluster.favouriteArtists,
      centrality,
      Math.round(LISTENER_FAVOURITES * share),
    );
    picks.forEach((artistIndex, rank) => {
      if (favouriteArtists.includes(artistIndex)) return;
      favouriteArtists.push(artistIndex);
      // Each listener leans on a few artists much more than on the rest.
      favouriteWeights.push(share / (rank + 1) ** 0.7);
    });
  });

  return {
    clusters: chosen,
    genreWeights,
    topGenreWeight: Math.max(...genreWeights.values()),
    energy: clamp(gaussian(random, energy, 0.04), 0, 1),
    valence: clamp(gaussian(random, valence, 0.04), 0, 1),
    favouriteArtists,
    favouriteWeights,
    isFavourite: new Set(favouriteArtists),
  };
}

/** What a taste judges a track by; all of it is in the API's answers (a track's genre and audio features). */
export type TasteFacts = Pick<Track, "genre"> & { features: Pick<Track["features"], "energy" | "valence"> };

/** 0..1: how much the listener enjoys a track, from its genre, its sound and whether they love its artist. */
export function affinity(taste: ListenerTaste, track: TasteFacts, artistIndex: number): number {
  const genreMatch = (taste.genreWeights.get(track.genre) ?? 0) / taste.topGenreWeight;
  const fit = soundFit(track.features.energy, track.features.valence, taste.energy, taste.valence);
  return 0.4 * genreMatch + 0.3 * fit + (taste.isFavourite.has(artistIndex) ? 0.3 : 0);
}
