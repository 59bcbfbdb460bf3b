import type { DemoCatalog } from "./catalog";
import { shuffled, type Random } from "./sampling";

const DAY_MS = 86_400_000;
const ARTIST_ZIPF_EXPONENT = 1.1;
const TRACK_ZIPF_EXPONENT = 0.9;
/** Fresh releases chart above their long-run level for a few weeks. */
const NEW_RELEASE_BOOST = 3;
const NEW_RELEASE_DAYS = 30;

function groupIndexes<T>(items: readonly T[], keyOf: (item: T) => string): number[][] {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}

/** Hidden popularity weights, indexed like `catalog.artists` and `catalog.tracks`. */
export interface Popularity {
  artists: Float64Array;
  tracks: Float64Array;
}

/**
 * Zipf over artists within their main genre, then over tracks within an artist:
 * the product gives each genre a few hits and a long tail, as real charts have.
 */
export function demoPopularity(catalog: DemoCatalog, random: Random, nowMs: number): Popularity {
  const artistIndexById = new Map(catalog.artists.map((artist, i) => [artist.id, i]));
  const artists = new Float64Array(catalog.artists.length);
  for (const members of groupIndexes(catalog.artists, (artist) => artist.genres[0]!)) {
    shuffled(random, members).forEach((artistIndex, rank) => {
      artists[artistIndex] = 1 / (rank + 1) ** ARTIST_ZIPF_EXPONENT;
    });
  }

  const tracks = new Float64Array(catalog.tracks.length);
  for (const members of groupIndexes(catalog.tracks, (track) => track.artistId)) {
    const artistWeight = artists[artistIndexById.get(catalog.tracks[members[0]!]!.artistId)!]!;
    shuffled(random, members).forEach((trackIndex, rank) => {
      const ageDays = (nowMs - Date.parse(catalog.tracks[trackIndex]!.releaseDate)) / DAY_MS;
      const boost = ageDays <= NEW_RELEASE_DAYS ? NEW_RELEASE_BOOST : 1;
      tracks[trackIndex] = (artistWeight * boost) / (rank + 1) ** TRACK_ZIPF_EXPONENT;
    });
  }
  return { artists, tracks };
}
