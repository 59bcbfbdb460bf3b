import type { Exclusions } from "../ranking/filters";
import type { PlaylistInput } from "./types";

/** What every personal list must respect about the listener: what they heard, what they turned down. */
export interface ListenerBounds {
  /** Every track the listener ever played or acted on: the whole history and the live session. */
  heard: ReadonlySet<string>;
  /** Tracks and artists disliked, in the session (which keeps artist dislikes) or in the history. */
  disliked: Exclusions;
}

/** Tracks the history says the listener disliked. A like after a dislike takes it back; counts do not keep their order, so the majority stands. */
export function dislikedInHistory(history: PlaylistInput["history"]): Set<string> {
  return new Set(history.filter((h) => h.dislikes > h.likes).map((h) => h.trackId));
}

export function listenerBounds(input: Pick<PlaylistInput, "history" | "session">): ListenerBounds {
  const { history, session } = input;
  const heard = new Set([...history.map((h) => h.trackId), ...session.played, ...session.recent.map((e) => e.trackId)]);
  return {
    heard,
    disliked: {
      trackIds: new Set([...session.dislikes.tracks, ...dislikedInHistory(history)]),
      artistIds: new Set(session.dislikes.artists),
    },
  };
}
