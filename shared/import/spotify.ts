import { genreName } from "../catalog/features";
import type { AudioFeatures, Track } from "../catalog/types";
import { fnv1a } from "../util/hash";
import { CsvStream, type CsvResult } from "./csv";
import { parseDecimal, parseInteger, type ParseResult } from "./rows";

/**
 * The Spotify audio-features CSV ("Ultimate Spotify Tracks DB" layout) mapped onto catalogue tracks.
 * The file lacks albums and release dates, so:
 * - artistId is derived from the artist name (see artistIdFor), the same name always giving the same id;
 * - albumId is UNKNOWN_ALBUM_PREFIX + artistId (one "unknown album" per artist), albumTitle is UNKNOWN_ALBUM_TITLE;
 * - releaseDate is UNKNOWN_RELEASE_DATE, a sentinel to read as "unknown", never as a real date.
 * Liveness and time signature have no place in Track and are dropped; popularity is returned beside it.
 * A track_id seen before (the file lists some tracks under two genres) is rejected: a Track has one genre.
 */
export const SPOTIFY_HEADER = [
  "genre",
  "artist_name",
  "track_name",
  "track_id",
  "popularity",
  "acousticness",
  "danceability",
  "duration_ms",
  "energy",
  "instrumentalness",
  "key",
  "liveness",
  "loudness",
  "mode",
  "speechiness",
  "tempo",
  "time_signature",
  "valence",
  "combined_text",
] as const;

export const UNKNOWN_ALBUM_PREFIX = "unknown-album:";
export const UNKNOWN_ALBUM_TITLE = "Unknown album";
export const UNKNOWN_RELEASE_DATE = "1900-01-01";

export interface SpotifyTrackRow {
  track: Track;
  /** Spotify's 0..100 popularity score. */
  popularity: number;
}

const PITCH_CLASSES: Record<string, number> = {
  C: 0,
  "C#": 1,
  Db: 1,
  D: 2,
  "D#": 3,
  Eb: 3,
  E: 4,
  F: 5,
  "F#": 6,
  Gb: 6,
  G: 7,
  "G#": 8,
  Ab: 8,
  A: 9,
  "A#": 10,
  Bb: 10,
  B: 11,
};

/**
 * "artist-<slug>-<hash>": the slug keeps ids readable, the hash of the normalised name (NFKC, trimmed,
 * lower case) keeps names that slug alike (or to nothing, e.g. non-Latin scripts) apart.
 */
export function artistIdFor(artistName: string): string {
  const normalised = artistName.normalize("NFKC").trim().toLowerCase();
  const slug = normalised
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `artist-${slug ? `${slug}-` : ""}${fnv1a(normalised).toString(16).padStart(8, "0")}`;
}

function toRow(fields: string[]): SpotifyTrackRow | string {
  if (fields.length !== SPOTIFY_HEADER.length)
    return `expected ${SPOTIFY_HEADER.length} fields, found ${fields.length}`;
  const get = (name: (typeof SPOTIFY_HEADER)[number]) => fields[SPOTIFY_HEADER.indexOf(name)]!.trim();
  const unit = ["acousticness", "danceability", "energy", "instrumentalness", "speechiness", "valence"] as const;
  const numbers: Record<string, number> = {};
  for (const name of [...unit, "tempo", "loudness", "popularity"] as const) {
    const value = parseDecimal(get(name));
    if (value === undefined) return `${name} is not a number: ${JSON.stringify(get(name))}`;
    numbers[name] = value;
  }
  for (const name of unit)
    if (numbers[name]! < 0 || numbers[name]! > 1) return `${name} is outside 0..1: ${numbers[name]}`;
  const durationMs = parseInteger(get("duration_ms"));
  if (durationMs === undefined || durationMs <= 0)
    return `duration_ms is not a positive integer: ${JSON.stringify(get("duration_ms"))}`;
  const key = PITCH_CLASSES[get("key")];
  if (key === undefined) return `key is not a note name C..B: ${JSON.stringify(get("key"))}`;
  const mode = get("mode") === "Major" ? 1 : get("mode") === "Minor" ? 0 : undefined;
  if (mode === undefined) return `mode is neither Major nor Minor: ${JSON.stringify(get("mode"))}`;
  const id = get("track_id"),
    title = get("track_name"),
    artistName = get("artist_name"),
    genre = genreName(get("genre"));
  if (!id) return "track_id is empty";
  if (!artistName) return "artist_name is empty";
  if (!genre) return "genre is empty";
  const features: AudioFeatures = {
    tempo: numbers.tempo!,
    energy: numbers.energy!,
    valence: numbers.valence!,
    danceability: numbers.danceability!,
    acousticness: numbers.acousticness!,
    instrumentalness: numbers.instrumentalness!,
    speechiness: numbers.speechiness!,
    loudness: numbers.loudness!,
    key,
    mode,
    durationMs,
  };
  const artistId = artistIdFor(artistName);
  return {
    track: {
      id,
      title,
      artistId,
      artistName,
      genre,
      features,
      albumId: UNKNOWN_ALBUM_PREFIX + artistId,
      albumTitle: UNKNOWN_ALBUM_TITLE,
      releaseDate: UNKNOWN_RELEASE_DATE,
    },
    popularity: numbers.popularity!,
  };
}

/**
 * The features CSV read chunk by chunk, so a catalog of millions of tracks streams through without the
 * file, or its rows, held whole: `push` answers the rows completed so far, `end` the rest. What it keeps
 * is one genre per track id seen (to reject repeats), the record in progress and nothing else.
 */
export class SpotifyFeaturesReader {
  readonly #csv = new CsvStream();
  readonly #genreOf = new Map<string, string>();
  #started = false;

  push(chunk: string): ParseResult<SpotifyTrackRow> {
    if (!this.#started) {
      this.#started = true;
      chunk = chunk.replace(/^\uFEFF/, "");
    }
    return this.#rows(this.#csv.push(chunk));
  }

  end(): ParseResult<SpotifyTrackRow> {
    return this.#rows(this.#csv.end());
  }

  #rows({ records, rejected }: CsvResult): ParseResult<SpotifyTrackRow> {
    const rows: SpotifyTrackRow[] = [];
    for (const record of records) {
      if (record.line === 1 && record.fields.join(",") === SPOTIFY_HEADER.join(",")) continue;
      const row = toRow(record.fields);
      if (typeof row === "string") {
        rejected.push({ line: record.line, reason: row });
        continue;
      }
      const earlier = this.#genreOf.get(row.track.id);
      if (earlier !== undefined) {
        rejected.push({
          line: record.line,
          reason: `duplicate track_id ${row.track.id} (kept under genre ${earlier})`,
        });
        continue;
      }
      this.#genreOf.set(row.track.id, row.track.genre);
      rows.push(row);
    }
    return { rows, rejected: rejected.sort((a, b) => a.line - b.line) };
  }
}

export function parseSpotifyFeatures(text: string): ParseResult<SpotifyTrackRow> {
  const reader = new SpotifyFeaturesReader();
  const first = reader.push(text);
  const last = reader.end();
  return { rows: [...first.rows, ...last.rows], rejected: [...first.rejected, ...last.rejected] };
}
