import type { EventType } from "../catalog/types";
import { DEFAULT_SESSION_CONFIG, isEarlySkip, isStart } from "../session";

/** A listening event as the KPIs read it from D1 (the track's duration joined from the catalog). */
export interface PlaybackFacts {
  type: EventType;
  trackId: string;
  positionMs: number | null;
  durationMs: number | null;
}

/**
 * A start: a track the listener began to hear. The session object's rule (shared/session isStart),
 * so the KPIs count the tracks its session summaries count.
 */
export function isPlaybackStart(
  previousPlayback: Pick<PlaybackFacts, "type" | "trackId"> | undefined,
  event: PlaybackFacts,
): boolean {
  return isStart(previousPlayback, event);
}

/** An early skip: the session's rule (before 30 s, or before a quarter of a track known to be long). */
export function isEarlySkipped(event: PlaybackFacts): boolean {
  return isEarlySkip(
    { type: event.type, positionMs: event.positionMs ?? undefined, durationMs: event.durationMs ?? undefined },
    DEFAULT_SESSION_CONFIG,
  );
}

/** A completion: the client reports the track played to its end. */
export function isCompletion(event: PlaybackFacts): boolean {
  return event.type === "complete";
}
