import type { z } from "zod";
import type { PlaybackContext } from "../api/schemas";
import { PLAYBACK_TYPES } from "../session/events";
import { discovery } from "./discovery";
import { isCompletion, isEarlySkipped, isPlaybackStart, type PlaybackFacts } from "./playback";
import { isRepeatListen } from "./repeat";
import { sliceOf, SLICE_DIMENSIONS, type Slice } from "./slice";
import type { LengthCount } from "./session-length";
import { DEFAULT_SESSION_CONFIG } from "../session";

/** A stored event of a consenting listener, with its track's artist and duration and the listener's region. */
export interface RollupEvent extends PlaybackFacts {
  listenerId: string;
  eventId: string;
  artistId: string | null;
  msPlayed: number | null;
  device: string | null;
  region: string | null;
  context: z.output<typeof PlaybackContext> | null;
  at: number;
}

/** What a listener did before the day: tracks with when each was last played, artists, and their last playback event. */
export interface ListenerPast {
  lastPlayedAt: Map<string, number>;
  artists: Set<string>;
  lastPlayback?: PlaybackFacts & { at: number };
}

export interface DayFigures {
  listeners: number;
  starts: number;
  listeningMs: number;
  earlySkips: number;
  completions: number;
  repeats: number;
  trackDiscoveries: number;
  artistDiscoveries: number;
  likes: number;
  saves: number;
}
export type DayRow = Slice & DayFigures;

const ZERO: Omit<DayFigures, "listeners"> = {
  starts: 0,
  listeningMs: 0,
  earlySkips: 0,
  completions: 0,
  repeats: 0,
  trackDiscoveries: 0,
  artistDiscoveries: 0,
  likes: 0,
  saves: 0,
};

const keyOf = (s: Slice) => SLICE_DIMENSIONS.map((d) => s[d]).join("\u0000");

/**
 * A day's figures per slice and the slices each listener was active in, from the day's events (any
 * order) and what each listener did before it. Pure, so the same events always give the same rows.
 */
export function rollupDay(
  events: readonly RollupEvent[],
  past: ReadonlyMap<string, ListenerPast>,
): { rows: DayRow[]; active: (Slice & { listenerId: string })[] } {
  const sorted = [...events].sort(
    (a, b) => a.listenerId.localeCompare(b.listenerId) || a.at - b.at || a.eventId.localeCompare(b.eventId),
  );
  const rows = new Map<string, { slice: Slice; listeners: Set<string>; figures: typeof ZERO }>();
  let listener: string | null = null;
  let state: {
    lastPlayedAt: Map<string, number>;
    tracks: Set<string>;
    artists: Set<string>;
    last?: PlaybackFacts & { at: number };
  } | null = null;
  for (const e of sorted) {
    if (e.listenerId !== listener) {
      listener = e.listenerId;
      const before = past.get(e.listenerId);
      state = {
        lastPlayedAt: new Map(before?.lastPlayedAt),
        tracks: new Set(before?.lastPlayedAt.keys()),
        artists: new Set(before?.artists),
        last: before?.lastPlayback,
      };
    }
    const s = state!;
    const slice = sliceOf(e.context, e.device, e.region);
    const row = rows.get(keyOf(slice)) ?? { slice, listeners: new Set<string>(), figures: { ...ZERO } };
    rows.set(keyOf(slice), row);
    row.listeners.add(e.listenerId);
    const f = row.figures;
    f.listeningMs += e.msPlayed ?? 0;
    if (e.type === "like") f.likes++;
    if (e.type === "add_to_playlist") f.saves++;
    if (!PLAYBACK_TYPES.has(e.type)) continue;
    // The session's rule looks back within the session only: a playback after 30 idle minutes starts anew.
    const previous = s.last && e.at - s.last.at < DEFAULT_SESSION_CONFIG.idleTimeoutMs ? s.last : undefined;
    if (isPlaybackStart(previous, e)) {
      f.starts++;
      if (isRepeatListen(s.lastPlayedAt.get(e.trackId), e.at)) f.repeats++;
      const found = discovery(s, e.trackId, e.artistId);
      if (found.track) f.trackDiscoveries++;
      if (found.artist) f.artistDiscoveries++;
      s.lastPlayedAt.set(e.trackId, e.at);
    }
    if (isEarlySkipped(e)) f.earlySkips++;
    if (isCompletion(e)) f.completions++;
    s.tracks.add(e.trackId);
    if (e.artistId) s.artists.add(e.artistId);
    s.last = e;
  }
  return {
    rows: [...rows.values()].map(({ slice, listeners, figures }) => ({
      ...slice,
      listeners: listeners.size,
      ...figures,
    })),
    active: [...rows.values()].flatMap(({ slice, listeners }) =>
      [...listeners].map((listenerId) => ({ ...slice, listenerId })),
    ),
  };
}

/** Closed sessions of a day as a histogram of exact lengths per region. */
export function sessionHistogram(
  sessions: readonly { lengthMs: number; region: string }[],
): (LengthCount & { region: string })[] {
  const counts = new Map<string, LengthCount & { region: string }>();
  for (const s of sessions) {
    const key = `${s.region}\u0000${s.lengthMs}`;
    const c = counts.get(key) ?? { region: s.region, lengthMs: s.lengthMs, sessions: 0 };
    c.sessions++;
    counts.set(key, c);
  }
  return [...counts.values()];
}
