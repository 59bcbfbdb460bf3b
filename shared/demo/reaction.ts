import type { EventType } from "../catalog/types";
import { chance, clamp, intBetween, type Random } from "./sampling";

/** An event of a listen, `atMs` after the play started, at `positionMs` in the track. */
export interface ReactionEvent {
  type: Exclude<EventType, "play">;
  atMs: number;
  positionMs: number;
}

export interface Reaction {
  /** In time order, after the play that started the listen. */
  events: ReactionEvent[];
  /** How long the listen lasted, repeat included: when the listener moves on. */
  listenedMs: number;
}

/** The last position of an early skip: skip rates count skips before 30 s. */
export const EARLY_SKIP_MAX_MS = 30_000;

/**
 * How a listener reacts to a track they enjoy `enjoyment` (0..1): off-taste tracks are mostly
 * skipped within seconds (sometimes disliked); on-taste tracks are completed, liked, saved and
 * repeated. A track already liked (or disliked) is not liked (disliked) again. The demo's history
 * and the simulator's listeners both react through this, so the model learns the behaviour the
 * simulator then shows it.
 */
export function react(
  random: Random,
  enjoyment: number,
  durationMs: number,
  already: { liked: boolean; disliked: boolean },
): Reaction {
  if (chance(random, clamp(0.85 - 0.85 * enjoyment, 0.04, 0.85))) {
    const early = chance(random, 0.85 - 0.5 * enjoyment);
    const positionMs = early
      ? intBetween(random, 2_000, EARLY_SKIP_MAX_MS)
      : Math.round(durationMs * (0.3 + 0.5 * random()));
    const events: ReactionEvent[] = [];
    if (!already.disliked && chance(random, 0.25 * (1 - enjoyment) ** 2))
      events.push({ type: "dislike", atMs: positionMs, positionMs });
    events.push({ type: "skip", atMs: positionMs, positionMs });
    return { events, listenedMs: positionMs };
  }

  const reactions: ReactionEvent[] = [];
  if (!already.liked && chance(random, 0.35 * enjoyment ** 3)) {
    const positionMs = Math.round(durationMs * (0.2 + 0.8 * random()));
    reactions.push({ type: "like", atMs: positionMs, positionMs });
  }
  if (chance(random, 0.08 * enjoyment ** 2)) {
    const positionMs = Math.round(durationMs * random());
    reactions.push({ type: "add_to_playlist", atMs: positionMs, positionMs });
  }
  reactions.sort((a, b) => a.positionMs - b.positionMs);
  const events = [...reactions, { type: "complete" as const, atMs: durationMs, positionMs: durationMs }];
  if (!chance(random, 0.1 * enjoyment ** 2)) return { events, listenedMs: durationMs };
  events.push(
    { type: "repeat", atMs: durationMs, positionMs: 0 },
    { type: "complete", atMs: 2 * durationMs, positionMs: durationMs },
  );
  return { events, listenedMs: 2 * durationMs };
}
