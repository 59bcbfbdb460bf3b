import type { Artist, AudioFeatures, Track } from "../catalog/types";
import { seededRandom } from "../util/random";
import { DEMO_GENRES, GENRE_PROFILES, GENRE_SHARES, type DemoGenre } from "./genres";
import { createNameGenerator } from "./names";
import { chance, clamp, gaussian, intBetween, pick, pickWeighted, roundTo, type Random } from "./sampling";

export interface DemoCatalog {
  artists: Artist[];
  tracks: Track[];
}

export const DEMO_REFERENCE_DATE = "2026-11-20";

const ARTIST_COUNT = 600;
const FIRST_YEAR = 1970;
const DAY_MS = 86_400_000;
const ALBUMS_PER_ARTIST = [1, 2, 3, 4];
const ALBUMS_PER_ARTIST_SHARES = [40, 33, 18, 9];
/** Share of artists whose latest album came out in the 30 days before the reference date. */
const NEW_RELEASE_SHARE = 0.05;
const CROSSOVER_SHARE = 0.3;
const CROSSOVER_TRACK_SHARE = 0.25;

/** How an artist's sound departs from its genre; shared by all its tracks so the artist sounds consistent. */
interface ArtistStyle {
  tempo: number;
  energy: number;
  valence: number;
  danceability: number;
  acousticness: number;
  instrumentalness: number;
  speechiness: number;
  loudness: number;
  duration: number;
}

function artistStyle(random: Random): ArtistStyle {
  return {
    tempo: gaussian(random, 0, 10),
    energy: gaussian(random, 0, 0.08),
    valence: gaussian(random, 0, 0.12),
    danceability: gaussian(random, 0, 0.07),
    acousticness: gaussian(random, 0, 0.1),
    instrumentalness: gaussian(random, 0, 0.1),
    speechiness: gaussian(random, 0, 0.04),
    loudness: gaussian(random, 0, 1.5),
    duration: gaussian(random, 0, 0.15),
  };
}

function trackFeatures(random: Random, genre: DemoGenre, style: ArtistStyle): AudioFeatures {
  const typical = GENRE_PROFILES[genre];
  const unit = (genreValue: number, artistShift: number, noise: number) =>
    roundTo(clamp(genreValue + artistShift + gaussian(random, 0, noise), 0, 1), 3);
  const energy = unit(typical.energy, style.energy, 0.06);
  return {
    tempo: roundTo(clamp(typical.tempo + style.tempo + gaussian(random, 0, typical.tempoSpread / 2), 50, 200), 1),
    energy,
    valence: unit(typical.valence, style.valence, 0.1),
    danceability: unit(typical.danceability, style.danceability, 0.06),
    acousticness: unit(typical.acousticness, style.acousticness, 0.08),
    instrumentalness: unit(typical.instrumentalness, style.instrumentalness, 0.08),
    speechiness: unit(typical.speechiness, style.speechiness, 0.03),
    // Mastering loudness follows energy; quiet genres keep their dynamic range.
    loudness: roundTo(clamp(-27 + 22 * energy + style.loudness + gaussian(random, 0, 1.5), -35, -2), 1),
    key: intBetween(random, 0, 11),
    mode: chance(random, typical.majorProbability) ? 1 : 0,
    durationMs:
      Math.round(clamp(typical.durationSec * Math.exp(style.duration + gaussian(random, 0, 0.2)), 90, 540)) * 1000,
  };
}

/** Singles, EPs and LPs, averaging about five tracks so ~600 artists give ~6,000 tracks. */
function albumLength(random: Random): number {
  const kind = random();
  if (kind < 0.25) return intBetween(random, 1, 2);
  if (kind < 0.7) return intBetween(random, 3, 6);
  return intBetween(random, 7, 12);
}

/**
 * Careers start in recent years far more often than in the 1970s (squaring the draw),
 * and albums follow each other every one to four years.
 */
function albumReleaseDays(random: Random, albumCount: number, referenceMs: number): number[] {
  const referenceYear = new Date(referenceMs).getUTCFullYear();
  const debutYear = referenceYear - Math.floor((referenceYear - FIRST_YEAR + 0.99) * random() ** 2);
  const days: number[] = [];
  let year = debutYear;
  for (let i = 0; i < albumCount; i++) {
    const dayMs = Date.UTC(year, 0, 1) + Math.floor(random() * 365) * DAY_MS;
    // A career that would run past the reference date ends in its final year instead.
    days.push(Math.min(dayMs, referenceMs - intBetween(random, 31, 330) * DAY_MS));
    year += intBetween(random, 1, 4);
  }
  days.sort((a, b) => a - b);
  if (chance(random, NEW_RELEASE_SHARE)) days[days.length - 1] = referenceMs - intBetween(random, 0, 29) * DAY_MS;
  return days;
}

const padded = (prefix: string, n: number, width: number) => `${prefix}-${String(n).padStart(width, "0")}`;

/** A fictional catalog, deterministic for a seed; `referenceDate` is "today" for release dates. */
export function generateDemoCatalog(seed = 1, referenceDate = DEMO_REFERENCE_DATE): DemoCatalog {
  const random = seededRandom(seed);
  const names = createNameGenerator(random);
  const referenceMs = Date.parse(referenceDate);
  const artists: Artist[] = [];
  const tracks: Track[] = [];
  let albumNumber = 0;

  for (let artistNumber = 1; artistNumber <= ARTIST_COUNT; artistNumber++) {
    const genre = pickWeighted(random, DEMO_GENRES, GENRE_SHARES);
    const crossover = chance(random, CROSSOVER_SHARE) ? pick(random, GENRE_PROFILES[genre].related) : undefined;
    const artist: Artist = {
      id: padded("art", artistNumber, 4),
      name: names.artist(genre),
      genres: crossover ? [genre, crossover] : [genre],
    };
    artists.push(artist);
    const style = artistStyle(random);
    const albumCount = pickWeighted(random, ALBUMS_PER_ARTIST, ALBUMS_PER_ARTIST_SHARES);

    for (const releaseMs of albumReleaseDays(random, albumCount, referenceMs)) {
      albumNumber++;
      const albumId = padded("alb", albumNumber, 5);
      const albumTitle = names.album();
      const releaseDate = new Date(releaseMs).toISOString().slice(0, 10);
      const titles = new Set<string>();
      for (let n = albumLength(random); n > 0; n--) {
        const trackGenre = crossover && chance(random, CROSSOVER_TRACK_SHARE) ? crossover : genre;
        const features = trackFeatures(random, trackGenre, style);
        let title = names.track(trackGenre, features.key, features.mode);
        while (titles.has(title)) title = names.track(trackGenre, features.key, features.mode);
        titles.add(title);
        tracks.push({
          id: padded("trk", tracks.length + 1, 5),
          title,
          artistId: artist.id,
          artistName: artist.name,
          albumId,
          albumTitle,
          genre: trackGenre,
          releaseDate,
          features,
        });
      }
    }
  }
  return { artists, tracks };
}
