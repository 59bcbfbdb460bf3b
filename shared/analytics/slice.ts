import type { PlaybackContext } from "../api/schemas";
import { isPlaylistKind } from "../playlists/kinds";
import { OWN_PLAYLIST_ID } from "../playlists/own";
import { parseRecommendationId } from "./attribution";
import type { z } from "zod";

export const UNKNOWN = "unknown";
export const NONE = "none";
export const UNATTRIBUTED = "unattributed";

/** What the KPIs are sliced by (./groups.ts SLICE_DIMENSIONS), besides the day. Never null: each has a word for "not known". */
export interface Slice {
  surface: string;
  device: string;
  region: string;
  variant: string;
  modelVersion: string;
}

/**
 * The slice an event is credited to. Its recommendation id says what served it; an event without one
 * is credited to the surface its context names (a generated list by its kind, an own playlist, radio,
 * the speaker, the recommendations), else to none ("unattributed").
 */
export function sliceOf(
  context: z.output<typeof PlaybackContext> | null,
  device: string | null,
  region: string | null,
): Slice {
  const served = context?.recommendationId ? parseRecommendationId(context.recommendationId) : null;
  const base = { device: device ?? UNKNOWN, region: region ?? UNKNOWN };
  if (served) {
    return {
      ...base,
      surface: served.surface,
      variant: served.variant ?? NONE,
      modelVersion: served.modelVersion ?? NONE,
    };
  }
  return { ...base, surface: surfaceOfContext(context), variant: NONE, modelVersion: NONE };
}

function surfaceOfContext(context: z.output<typeof PlaybackContext> | null): string {
  const list = context?.playlistId;
  if (list && isPlaylistKind(list)) return list;
  if (list && OWN_PLAYLIST_ID.test(list)) return "own-playlist";
  const source = context?.source;
  if (source === "recommendations" || source === "radio" || source === "speaker") return source;
  return UNATTRIBUTED;
}
