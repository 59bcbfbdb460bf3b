import { ACTIVITIES, type Activity } from "../catalog/types";
import { isPlaylistKind, type PlaylistKind } from "../playlists";
import { StationId } from "../playlists/radio";

/**
 * What a stream plays from: one of the listener's generated lists, a radio station of theirs
 * (GET /v1/me/radio's), or their recommendations (with an activity when asked for one). It travels in the AudioPlayer token, which Alexa hands back on
 * every playback request, so the endpoint keeps no state of its own about what Alexa is playing.
 */
export type PlaySource =
  | { kind: "list"; list: PlaylistKind }
  | { kind: "radio"; station: string }
  | { kind: "for-you"; activity: Activity | null };

export interface StreamToken {
  source: PlaySource;
  trackId: string;
}

const ID = "[A-Za-z0-9_-]{1,64}";
const TOKEN = new RegExp(`^(list|radio|for-you):(${ID}):(${ID})$`);
const ANY_ACTIVITY = "any";

/**
 * `list:<kind>:<track>`, `radio:<station>:<track>` or `for-you:<activity|any>:<track>`: ids are of a
 * safe alphabet, so ':' separates.
 */
export function encodeToken({ source, trackId }: StreamToken): string {
  const what =
    source.kind === "list" ? source.list : source.kind === "radio" ? source.station : (source.activity ?? ANY_ACTIVITY);
  return `${source.kind}:${what}:${trackId}`;
}

/** The stream a token names; null for a token this skill did not make (or an older form of it). */
export function decodeToken(token: string | undefined): StreamToken | null {
  const match = token ? TOKEN.exec(token) : null;
  if (!match) return null;
  const [, kind, what, trackId] = match as unknown as [string, string, string, string];
  if (kind === "list") return isPlaylistKind(what) ? { source: { kind: "list", list: what }, trackId } : null;
  if (kind === "radio")
    return StationId.safeParse(what).success ? { source: { kind: "radio", station: what }, trackId } : null;
  if (what === ANY_ACTIVITY) return { source: { kind: "for-you", activity: null }, trackId };
  return (ACTIVITIES as readonly string[]).includes(what)
    ? { source: { kind: "for-you", activity: what as Activity }, trackId }
    : null;
}

/**
 * The track `step` places away from `current` in a list (1 next, -1 previous), or null past either
 * end. A current track no longer in the list (a new period's list) starts it from the top.
 */
export function stepInList(trackIds: readonly string[], current: string | null, step: 1 | -1): string | null {
  const at = current === null ? -1 : trackIds.indexOf(current);
  if (at === -1) return trackIds[0] ?? null;
  return trackIds[at + step] ?? null;
}
