import type { SessionState } from "../session/state";
import type { GeneratedPlaylist } from "./types";

/**
 * The list without the tracks the listener dislikes now, nor any track of an artist they dislike:
 * applied when a frozen list is served, so a dislike shows in every list at once. `artistOf`
 * names a track's artist (null when unknown, and then only the track itself is checked).
 */
export function withoutDisliked<L extends GeneratedPlaylist>(
  list: L,
  dislikes: SessionState["dislikes"],
  artistOf: (trackId: string) => string | null,
): L {
  if (dislikes.tracks.length === 0 && dislikes.artists.length === 0) return list;
  const tracks = new Set(dislikes.tracks);
  const artists = new Set(dislikes.artists);
  const kept = list.tracks.filter((t) => {
    if (tracks.has(t.trackId)) return false;
    const artist = artistOf(t.trackId);
    return artist === null || !artists.has(artist);
  });
  return kept.length === list.tracks.length
    ? list
    : { ...list, tracks: kept, seedArtists: list.seedArtists.filter((a) => !artists.has(a.id)) };
}
