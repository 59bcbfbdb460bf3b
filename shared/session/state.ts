import type { Activity, Device } from "../catalog/types";
import { addDecayed, decayedValue, type DecayedWeight } from "./decay";
import { isStart, PLAYBACK_TYPES, tasteDelta, type EarlySkipThresholds, type ListeningEvent } from "./events";

export interface SessionConfig extends EarlySkipThresholds {
  idleTimeoutMs: number;
  tasteHalfLifeMs: number;
  /** Size bounds keep the stored state small whatever the listener does. */
  recentLimit: number;
  playedLimit: number;
  tasteLimit: number;
  dislikeLimit: number;
}

export const DEFAULT_TASTE_HALF_LIFE_MS = 30 * 60_000;

export const DEFAULT_SESSION_CONFIG: SessionConfig = {
  idleTimeoutMs: 30 * 60_000,
  tasteHalfLifeMs: DEFAULT_TASTE_HALF_LIFE_MS,
  earlySkipMs: 30_000,
  earlySkipShare: 0.25,
  recentLimit: 50,
  playedLimit: 200,
  tasteLimit: 200,
  dislikeLimit: 500,
};

export type RecentEvent = Omit<ListeningEvent, "context">;

export interface NowPlaying {
  trackId: string;
  positionMs: number;
  device: Device | null;
  updatedAt: number;
}

/** Plain JSON so the session Durable Object can store it as is. */
export interface SessionState {
  open: boolean;
  startedAt: number | null;
  lastActivityAt: number | null;
  tracksPlayed: number;
  skips: number;
  completions: number;
  /** Tracks played in the current session, oldest first. */
  played: string[];
  /** Latest events across sessions, oldest first; also lets retried deliveries be ignored. */
  recent: RecentEvent[];
  taste: { tracks: Record<string, DecayedWeight>; artists: Record<string, DecayedWeight> };
  /** Explicit dislikes outlive sessions, oldest first. */
  dislikes: { tracks: string[]; artists: string[] };
  devices: Partial<Record<Device, number>>; // last seen
  nowPlaying: NowPlaying | null;
  activity: { activity: Activity; at: number } | null;
}

export interface SessionSummary {
  startedAt: number;
  endedAt: number;
  lengthMs: number;
  tracksPlayed: number;
  skips: number;
  completions: number;
}

export function createSession(): SessionState {
  return {
    open: false,
    startedAt: null,
    lastActivityAt: null,
    tracksPlayed: 0,
    skips: 0,
    completions: 0,
    played: [],
    recent: [],
    taste: { tracks: {}, artists: {} },
    dislikes: { tracks: [], artists: [] },
    devices: {},
    nowPlaying: null,
    activity: null,
  };
}

function isIdle(state: SessionState, at: number, config: SessionConfig): boolean {
  return state.lastActivityAt !== null && at - state.lastActivityAt >= config.idleTimeoutMs;
}

/** Closes an open session that has been idle for the timeout and reports it; otherwise returns it unchanged. */
export function closeIfIdle(
  state: SessionState,
  now: number,
  config: SessionConfig = DEFAULT_SESSION_CONFIG,
): { state: SessionState; summary: SessionSummary | null } {
  if (!state.open || state.startedAt === null || state.lastActivityAt === null || !isIdle(state, now, config)) {
    return { state, summary: null };
  }
  const summary: SessionSummary = {
    startedAt: state.startedAt,
    endedAt: state.lastActivityAt,
    lengthMs: state.lastActivityAt - state.startedAt,
    tracksPlayed: state.tracksPlayed,
    skips: state.skips,
    completions: state.completions,
  };
  return { state: { ...state, open: false }, summary };
}

/** Moves `id` to the end of an oldest-first list, dropping the oldest beyond `limit`. */
function pushRecent(list: string[], id: string, limit: number): string[] {
  const next = list.filter((x) => x !== id);
  next.push(id);
  return next.length > limit ? next.slice(next.length - limit) : next;
}

function addWeight(
  weights: Record<string, DecayedWeight>,
  key: string | undefined,
  delta: number,
  t: number,
  config: SessionConfig,
): Record<string, DecayedWeight> {
  if (key === undefined || delta === 0) return weights;
  const next = { ...weights, [key]: addDecayed(weights[key], delta, t, config.tasteHalfLifeMs) };
  const keys = Object.keys(next);
  if (keys.length <= config.tasteLimit) return next;
  // Over the bound, forget whatever currently matters least.
  const strength = (k: string) => Math.abs(decayedValue(next[k]!, t, config.tasteHalfLifeMs));
  keys.sort((a, b) => strength(b) - strength(a));
  return Object.fromEntries(keys.slice(0, config.tasteLimit).map((k) => [k, next[k]!]));
}

function startsListen(state: SessionState, event: ListeningEvent): boolean {
  const started = state.startedAt ?? 0;
  const previous = state.recent.findLast((e) => e.timestamp >= started && PLAYBACK_TYPES.has(e.type));
  return isStart(previous, event);
}

function startSession(state: SessionState, t: number): SessionState {
  return {
    ...state,
    open: true,
    startedAt: t,
    lastActivityAt: t,
    tracksPlayed: 0,
    skips: 0,
    completions: 0,
    played: [],
    activity: null,
  };
}

/**
 * What is playing after `event`: a skip stops the track it skips, and a dislike of the playing track
 * stops it too (the player moves on; its next play reports what follows); other playback reports
 * what plays. An event older than the last report changes nothing.
 */
function nowPlayingAfter(
  playing: NowPlaying | null,
  event: ListeningEvent,
  t: number,
  dislikedArtist: boolean,
): NowPlaying | null {
  if (t < (playing?.updatedAt ?? -Infinity)) return playing;
  if (event.type === "skip") return null;
  if (event.type === "dislike" && !dislikedArtist && event.trackId === playing?.trackId) return null;
  if (!PLAYBACK_TYPES.has(event.type)) return playing;
  return { trackId: event.trackId, positionMs: event.positionMs ?? 0, device: event.device ?? null, updatedAt: t };
}

/**
 * Folds one listening event into the state. An event after the idle timeout starts a new session,
 * so callers that want the old session's summary call closeIfIdle first.
 */
export function applyEvent(
  state: SessionState,
  event: ListeningEvent,
  now: number,
  config: SessionConfig = DEFAULT_SESSION_CONFIG,
): SessionState {
  if (state.recent.some((e) => e.id === event.id)) return state;
  // Client clocks can run ahead; an event cannot have happened after it arrived.
  const t = Math.min(event.timestamp, now);
  let next = !state.open || isIdle(state, t, config) ? startSession(state, t) : state;

  const listens = startsListen(next, event);
  const delta = tasteDelta(event, config);
  const { context, ...recentEvent } = event;
  const isPlayback = PLAYBACK_TYPES.has(event.type);
  const dislikedArtist = event.type === "dislike" && event.target === "artist";

  next = {
    ...next,
    lastActivityAt: Math.max(next.lastActivityAt ?? t, t),
    tracksPlayed: next.tracksPlayed + (listens ? 1 : 0),
    skips: next.skips + (event.type === "skip" ? 1 : 0),
    completions: next.completions + (event.type === "complete" ? 1 : 0),
    played: isPlayback ? pushRecent(next.played, event.trackId, config.playedLimit) : next.played,
    recent: [...next.recent, recentEvent].slice(-config.recentLimit),
    taste: dislikedArtist
      ? next.taste
      : {
          tracks: addWeight(next.taste.tracks, event.trackId, delta.track, t, config),
          artists: addWeight(next.taste.artists, event.artistId, delta.artist, t, config),
        },
    dislikes: {
      tracks:
        event.type === "dislike" && !dislikedArtist
          ? pushRecent(next.dislikes.tracks, event.trackId, config.dislikeLimit)
          : event.type === "like"
            ? next.dislikes.tracks.filter((id) => id !== event.trackId)
            : next.dislikes.tracks,
      artists:
        dislikedArtist && event.artistId !== undefined
          ? pushRecent(next.dislikes.artists, event.artistId, config.dislikeLimit)
          : next.dislikes.artists,
    },
    devices: event.device
      ? { ...next.devices, [event.device]: Math.max(next.devices[event.device] ?? t, t) }
      : next.devices,
    nowPlaying: nowPlayingAfter(next.nowPlaying, event, t, dislikedArtist),
    activity: context?.activity ? { activity: context.activity, at: t } : next.activity,
  };
  return next;
}
