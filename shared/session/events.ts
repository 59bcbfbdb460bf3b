import { z } from "zod";
import { DEVICES, EVENT_TYPES } from "../catalog/types";
import { contextInputSchema } from "../context/resolve";

const id = z.string().min(1).max(128);

export const listeningEventSchema = z.object({
  id,
  trackId: id,
  artistId: id.optional(),
  type: z.enum(EVENT_TYPES),
  /** Only for dislikes: whether the listener disliked the track (default) or its artist. */
  target: z.enum(["track", "artist"]).optional(),
  positionMs: z.number().nonnegative().optional(),
  durationMs: z.number().positive().optional(),
  device: z.enum(DEVICES).optional(),
  timestamp: z.number().int().nonnegative(),
  context: contextInputSchema.optional(),
});
export type ListeningEvent = z.infer<typeof listeningEventSchema>;

export interface EarlySkipThresholds {
  earlySkipMs: number;
  earlySkipShare: number; // of the track's duration
}

/**
 * A skip early in a track says "not this"; a late one mostly says "enough". Without a position
 * the skip is treated as late so missing client data cannot punish a track hard.
 */
export function isEarlySkip(
  event: Pick<ListeningEvent, "type" | "positionMs" | "durationMs">,
  thresholds: EarlySkipThresholds,
): boolean {
  if (event.type !== "skip" || event.positionMs === undefined) return false;
  if (event.positionMs < thresholds.earlySkipMs) return true;
  return event.durationMs !== undefined && event.positionMs < thresholds.earlySkipShare * event.durationMs;
}

export interface TasteDelta {
  track: number;
  artist: number;
}

// Explicit signals outweigh implicit ones; the artist moves at about half the track's rate.
const DELTAS = {
  play: { track: 0, artist: 0 },
  complete: { track: 1, artist: 0.5 },
  repeat: { track: 1.5, artist: 0.75 },
  add_to_playlist: { track: 1.5, artist: 0.75 },
  like: { track: 2, artist: 1 },
  dislike: { track: -3, artist: -1.5 },
  earlySkip: { track: -1, artist: -0.6 },
  lateSkip: { track: -0.2, artist: 0 },
} satisfies Record<string, TasteDelta>;

export function tasteDelta(event: ListeningEvent, thresholds: EarlySkipThresholds): TasteDelta {
  if (event.type === "skip") return isEarlySkip(event, thresholds) ? DELTAS.earlySkip : DELTAS.lateSkip;
  return DELTAS[event.type];
}

export const PLAYBACK_TYPES: ReadonlySet<ListeningEvent["type"]> = new Set(["play", "complete", "skip", "repeat"]);

/**
 * Whether an event starts a listen: a play or repeat does; a complete or skip continues the listen a
 * play/repeat of the same track started just before it (the listener's previous playback event in
 * the session), and starts one of its own otherwise; likes and the like start none.
 */
export function isStart(
  previousPlayback: Pick<ListeningEvent, "type" | "trackId"> | undefined,
  event: Pick<ListeningEvent, "type" | "trackId">,
): boolean {
  if (event.type === "play" || event.type === "repeat") return true;
  if (event.type !== "complete" && event.type !== "skip") return false;
  return !(
    previousPlayback?.trackId === event.trackId &&
    (previousPlayback.type === "play" || previousPlayback.type === "repeat")
  );
}
