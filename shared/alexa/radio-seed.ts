import { genreName } from "../catalog/features";
import type { RadioSeed } from "../playlists/radio";
import type { TrackInfo } from "../ranking/types";

/** A name as speech recognition writes it: no case, punctuation or leading "the", "&" said as "and". */
function spoken(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9 ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^the /, "");
}

/**
 * The station a spoken request names: the catalog artist whose name sounds like the one heard,
 * else the genre (the interaction model resolves genres to the catalog's spelling); null when the
 * catalog has neither.
 */
export function radioSeedOf(
  asked: { artist: string | null; genre: string | null },
  tracks: Iterable<Pick<TrackInfo, "artistId" | "artistName" | "genre">>,
): RadioSeed | null {
  const artist = asked.artist ? spoken(asked.artist) : null;
  const genre = asked.genre ? genreName(asked.genre) : null;
  let genreKnown = false;
  for (const track of tracks) {
    if (artist && spoken(track.artistName) === artist) return { kind: "artist", id: track.artistId };
    genreKnown ||= track.genre === genre;
  }
  return genre && genreKnown ? { kind: "genre", name: genre } : null;
}
