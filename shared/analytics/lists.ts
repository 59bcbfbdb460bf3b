import type { z } from "zod";
import type { PlaybackContext } from "../api/schemas";
import { isPlaylistKind } from "../playlists/kinds";
import { parseRecommendationId, type Surface } from "./attribution";

/** The surfaces that serve a list to play through (each generated kind, an own playlist), as against a feed or a station. */
export function isListSurface(surface: Surface): boolean {
  return surface === "own-playlist" || isPlaylistKind(surface);
}

/**
 * Whether an event plays the last track of the list it was served from: its recommendation id names
 * a list surface and `lastTrackOf` (the session object's lists) says its list ends with its track.
 */
export function playsListEnd(
  event: { trackId: string; context: z.output<typeof PlaybackContext> | null },
  lastTrackOf: (listId: string) => string | undefined,
): boolean {
  const { playlistId, recommendationId } = event.context ?? {};
  const served = recommendationId ? parseRecommendationId(recommendationId) : null;
  return !!playlistId && !!served && isListSurface(served.surface) && lastTrackOf(playlistId) === event.trackId;
}
