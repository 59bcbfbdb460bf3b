import { seededRandom } from "../util/random";
import { SPOTIFY_HEADER } from "./spotify";

/**
 * A Spotify audio-features CSV of any size in the layout of the shared sample (SPOTIFY_HEADER), for
 * trying the operator's import at catalog sizes no sample has: `npm run data:spotify -- N > file.csv`.
 * Deterministic for a seed; every track id is distinct; about ten tracks an artist; names and the
 * combined text are quoted, with commas inside, as in the real file.
 */
const GENRES = ["Pop", "Rock", "Hip-Hop", "Electronic", "Jazz", "Classical", "Folk", "Country", "R&B", "Reggae"];
const NOTES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A 22-character id like Spotify's, distinct for each index. */
export function syntheticTrackId(index: number): string {
  let id = "";
  for (let n = index; id.length < 8; n = Math.floor(n / 62)) id = BASE62[n % 62]! + id;
  return `syn${id}`.padEnd(22, "0");
}

const unit = (random: () => number) => Number(random().toFixed(4));

/** The header line, then one line per track (each ending in a newline). */
export function* syntheticSpotifyLines(tracks: number, seed = 1): Generator<string> {
  const random = seededRandom(seed);
  yield `${SPOTIFY_HEADER.join(",")}\n`;
  for (let i = 0; i < tracks; i++) {
    const artist = Math.floor(i / 10);
    const genre = GENRES[artist % GENRES.length]!;
    const artistName = `Synthetic Artist ${artist}`;
    const title = `Track ${i}, take ${1 + (i % 3)}`;
    const fields = [
      genre,
      artistName,
      `"${title}"`,
      syntheticTrackId(i),
      Math.floor(random() * 100),
      unit(random),
      unit(random),
      120_000 + Math.floor(random() * 240_000),
      unit(random),
      unit(random),
      NOTES[Math.floor(random() * 12)],
      unit(random),
      (-30 + random() * 28).toFixed(3),
      random() < 0.6 ? "Major" : "Minor",
      unit(random),
      (60 + random() * 120).toFixed(3),
      "4/4",
      unit(random),
      `"artist: ${artistName.toLowerCase()}, track: ${title.toLowerCase()}, genre: ${genre.toLowerCase()}"`,
    ];
    yield `${fields.join(",")}\n`;
  }
}
