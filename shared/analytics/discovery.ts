/** What a listener has played before (any playback event counts). */
export interface Known {
  tracks: ReadonlySet<string>;
  artists: ReadonlySet<string>;
}

/** A discovery: a start of a track, or of any track of an artist, the listener never played before. */
export function discovery(known: Known, trackId: string, artistId: string | null): { track: boolean; artist: boolean } {
  return { track: !known.tracks.has(trackId), artist: artistId !== null && !known.artists.has(artistId) };
}
