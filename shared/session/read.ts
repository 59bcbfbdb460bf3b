import type { Activity } from "../catalog/types";
import { decayedValue, type DecayedWeight } from "./decay";
import { DEFAULT_SESSION_CONFIG, type SessionState } from "./state";

/** Short-term taste as of now: positive means "more like this", negative "less". */
export interface SessionTaste {
  tracks: ReadonlyMap<string, number>;
  artists: ReadonlyMap<string, number>;
}

// Below this a weight has decayed to noise and only costs time downstream.
const NEGLIGIBLE_WEIGHT = 0.01;

function decayAll(weights: Record<string, DecayedWeight>, now: number, halfLifeMs: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const key in weights) {
    const value = decayedValue(weights[key]!, now, halfLifeMs);
    if (Math.abs(value) >= NEGLIGIBLE_WEIGHT) out.set(key, value);
  }
  return out;
}

export function readTaste(
  state: SessionState,
  now: number,
  halfLifeMs = DEFAULT_SESSION_CONFIG.tasteHalfLifeMs,
): SessionTaste {
  return {
    tracks: decayAll(state.taste.tracks, now, halfLifeMs),
    artists: decayAll(state.taste.artists, now, halfLifeMs),
  };
}

function isActive(state: SessionState, now: number, idleTimeoutMs: number): boolean {
  return state.open && state.lastActivityAt !== null && now - state.lastActivityAt < idleTimeoutMs;
}

/** Tracks played in the session still open at `now`; none once it has gone idle. */
export function playedThisSession(
  state: SessionState,
  now: number,
  idleTimeoutMs = DEFAULT_SESSION_CONFIG.idleTimeoutMs,
): ReadonlySet<string> {
  return new Set(isActive(state, now, idleTimeoutMs) ? state.played : []);
}

/** The activity the listener last told this session about, while it is still open. */
export function currentActivity(
  state: SessionState,
  now: number,
  idleTimeoutMs = DEFAULT_SESSION_CONFIG.idleTimeoutMs,
): Activity | undefined {
  return isActive(state, now, idleTimeoutMs) ? state.activity?.activity : undefined;
}

export function recentlyLiked(state: SessionState): ReadonlySet<string> {
  const disliked = new Set(state.dislikes.tracks);
  return new Set(state.recent.filter((e) => e.type === "like" && !disliked.has(e.trackId)).map((e) => e.trackId));
}
