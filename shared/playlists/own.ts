/**
 * A listener's own playlists: what they named and filled themselves (or saved from a generated list).
 * Positions are 1-based, as in every list answer (`position`), so a client moves and removes the
 * tracks by the numbers it was shown.
 */

export const OWN_PLAYLIST_LIMITS = {
  nameLength: 100,
  descriptionLength: 300,
  /** A playlist is one row in the session object, and smart shuffle scans it on a request: kept modest. */
  tracksPerPlaylist: 500,
  playlistsPerListener: 200,
  /** Tracks one request may add or remove, as Spotify's API allows. */
  tracksPerRequest: 100,
} as const;

/** Own ids start with `pl-`, which no generated kind does, so `/v1/me/playlists/{id}` can tell them apart. */
export const OWN_PLAYLIST_ID = /^pl-[0-9a-f]{20}$/;

/** Own playlists have no periods: a listener's place in one holds until they change it. */
export const OWN_PLAYLIST_PERIOD = "own";

export function newOwnPlaylistId(): string {
  return `pl-${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

export interface OwnPlaylist {
  id: string;
  name: string;
  description: string;
  trackIds: string[];
  createdAt: number;
  updatedAt: number;
}

/** One change to a playlist, as validated at the edge; positions are checked here, against the playlist. */
export type OwnPlaylistEdit =
  | { op: "details"; name?: string | undefined; description?: string | undefined }
  /** Inserts before `position` (1 to length + 1); at the end without one. */
  | { op: "add"; trackIds: string[]; position?: number | undefined }
  /** Removes the tracks at `positions`, or every occurrence of `trackIds`. */
  | { op: "remove"; positions: number[] }
  | { op: "remove"; trackIds: string[] }
  /** Moves `rangeLength` tracks from `rangeStart` to before `insertBefore` (its position before the move). */
  | { op: "reorder"; rangeStart: number; rangeLength: number; insertBefore: number };

/** A change refused for what the playlist holds: the status and the field it names. */
export interface EditRefusal {
  status: 409 | 422;
  detail: string;
  errors: { path: string; message: string }[];
}

export type EditResult = { ok: true; playlist: OwnPlaylist } | { ok: false; refusal: EditRefusal };

const refuse = (status: 409 | 422, path: string, message: string): EditResult => ({
  ok: false,
  refusal: { status, detail: `${path} ${message}`, errors: [{ path, message }] },
});

export interface OwnPlaylistDraft {
  name: string;
  description: string;
  trackIds: string[];
}

/** A new playlist, unless the listener has as many as they may. */
export function createPlaylist(draft: OwnPlaylistDraft, existing: number, now: number): EditResult {
  const max = OWN_PLAYLIST_LIMITS.playlistsPerListener;
  if (existing >= max)
    return refuse(409, "(root)", `cannot be created: the listener has ${max} playlists, the most allowed`);
  return { ok: true, playlist: { id: newOwnPlaylistId(), ...draft, createdAt: now, updatedAt: now } };
}

/** The playlist after `edit`, or why the edit does not fit it. */
export function applyEdit(playlist: OwnPlaylist, edit: OwnPlaylistEdit, now: number): EditResult {
  const tracks = playlist.trackIds;
  const done = (change: Partial<OwnPlaylist>): EditResult => ({
    ok: true,
    playlist: { ...playlist, ...change, updatedAt: now },
  });
  switch (edit.op) {
    case "details":
      return done({
        ...(edit.name !== undefined ? { name: edit.name } : {}),
        ...(edit.description !== undefined ? { description: edit.description } : {}),
      });
    case "add": {
      const position = edit.position ?? tracks.length + 1;
      if (position > tracks.length + 1)
        return refuse(
          422,
          "position",
          `must be at most ${tracks.length + 1}: the playlist has ${tracks.length} tracks`,
        );
      if (tracks.length + edit.trackIds.length > OWN_PLAYLIST_LIMITS.tracksPerPlaylist)
        return refuse(
          422,
          "trackIds",
          `would make the playlist longer than ${OWN_PLAYLIST_LIMITS.tracksPerPlaylist} tracks (it has ${tracks.length})`,
        );
      return done({ trackIds: [...tracks.slice(0, position - 1), ...edit.trackIds, ...tracks.slice(position - 1)] });
    }
    case "remove": {
      if ("positions" in edit) {
        const outside = edit.positions.findIndex((p) => p > tracks.length);
        if (outside >= 0)
          return refuse(
            422,
            `positions.${outside}`,
            `must be at most ${tracks.length}: the playlist has ${tracks.length} tracks`,
          );
        const removed = new Set(edit.positions);
        return done({ trackIds: tracks.filter((_, i) => !removed.has(i + 1)) });
      }
      const absent = edit.trackIds.findIndex((id) => !tracks.includes(id));
      if (absent >= 0) return refuse(422, `trackIds.${absent}`, "is not in the playlist");
      const removed = new Set(edit.trackIds);
      return done({ trackIds: tracks.filter((id) => !removed.has(id)) });
    }
    case "reorder": {
      const { rangeStart, rangeLength, insertBefore } = edit;
      if (rangeStart + rangeLength - 1 > tracks.length)
        return refuse(
          422,
          "rangeStart",
          `with rangeLength ${rangeLength} runs past the playlist's ${tracks.length} tracks`,
        );
      if (insertBefore > tracks.length + 1) return refuse(422, "insertBefore", `must be at most ${tracks.length + 1}`);
      const start = rangeStart - 1;
      const end = start + rangeLength;
      const before = insertBefore - 1;
      // Inserting a range before itself or before the track right after it leaves the order as it is.
      if (before >= start && before <= end) return done({});
      const range = tracks.slice(start, end);
      const rest = [...tracks.slice(0, start), ...tracks.slice(end)];
      const at = before > end ? before - rangeLength : before;
      return done({ trackIds: [...rest.slice(0, at), ...range, ...rest.slice(at)] });
    }
  }
}
