import type { z } from "zod";
import type { PlaybackContext } from "../api/schemas";
import { PLAYBACK_TYPES } from "../session/events";
import { DEFAULT_SESSION_CONFIG } from "../session";
import { parseRecommendationId } from "./attribution";
import { dayOf } from "./days";
import { discovery } from "./discovery";
import { isListSurface } from "./lists";
import { isCompletion, isEarlySkipped, isPlaybackStart, type PlaybackFacts } from "./playback";
import { isRepeatListen } from "./repeat";
import { sliceOf, SLICE_DIMENSIONS, type Slice } from "./slice";
import type { LengthCount } from "./session-length";

/** A stored event of a listener, with its track's artist and duration and the listener's region. */
export interface RollupEvent extends PlaybackFacts {
  listenerId: string;
  eventId: string;
  artistId: string | null;
  msPlayed: number | null;
  device: string | null;
  region: string | null;
  context: z.output<typeof PlaybackContext> | null;
  /** The session object saw it play the last track of the list its recommendation id names. */
  listEnd: boolean;
  at: number;
}

/**
 * What a listener did before a moment: each track of interest with when it was last played (any
 * playback event), the artists of interest they played, and their last playback event within a
 * session's idle timeout. Exactly the state `contributions` carries, so that figuring a listener's
 * events from any moment on, given what came before it, gives what figuring them all would.
 */
export interface ListenerPast {
  lastPlayedAt: Map<string, number>;
  artists: Set<string>;
  lastPlayback?: Pick<PlaybackFacts, "type" | "trackId"> & { at: number };
}

export interface DayFigures {
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
export const FIGURES = [
  "starts",
  "listeningMs",
  "earlySkips",
  "completions",
  "repeats",
  "trackDiscoveries",
  "artistDiscoveries",
  "likes",
  "saves",
] as const satisfies readonly (keyof DayFigures)[];
export type DayRow = { day: string } & Slice & DayFigures;

const zero = (): DayFigures => Object.fromEntries(FIGURES.map((f) => [f, 0])) as unknown as DayFigures;
const keyOf = (r: { day: string } & Slice) => [r.day, ...SLICE_DIMENSIONS.map((d) => r[d])].join("\u0000");

/** The order a listener's events are figured in: by time, then id (as SQLite orders text). */
export const byTime = (a: RollupEvent, b: RollupEvent) =>
  a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/**
 * The figures of one listener's events, per day and slice, given what they did before the first
 * of them. Pure and order-free (the events are sorted here), so the same events and past always
 * give the same rows: what a new event adds is the figures with it minus the figures without it.
 */
export function figures(events: readonly RollupEvent[], before: ListenerPast): DayRow[] {
  const rows = new Map<string, DayRow>();
  const lastPlayedAt = new Map(before.lastPlayedAt);
  const artists = new Set(before.artists);
  let last = before.lastPlayback;
  for (const e of [...events].sort(byTime)) {
    const key = { day: dayOf(e.at), ...sliceOf(e.context, e.device, e.region) };
    const row = rows.get(keyOf(key)) ?? { ...key, ...zero() };
    rows.set(keyOf(key), row);
    row.listeningMs += e.msPlayed ?? 0;
    if (e.type === "like") row.likes++;
    if (e.type === "add_to_playlist") row.saves++;
    if (!PLAYBACK_TYPES.has(e.type)) continue;
    // The session's rule looks back within the session only: a playback after 30 idle minutes starts anew.
    const previous = last && e.at - last.at < DEFAULT_SESSION_CONFIG.idleTimeoutMs ? last : undefined;
    if (isPlaybackStart(previous, e)) {
      row.starts++;
      if (isRepeatListen(lastPlayedAt.get(e.trackId), e.at)) row.repeats++;
      const found = discovery({ tracks: new Set(lastPlayedAt.keys()), artists }, e.trackId, e.artistId);
      if (found.track) row.trackDiscoveries++;
      if (found.artist) row.artistDiscoveries++;
    }
    if (isEarlySkipped(e)) row.earlySkips++;
    if (isCompletion(e)) row.completions++;
    lastPlayedAt.set(e.trackId, e.at);
    if (e.artistId) artists.add(e.artistId);
    last = e;
  }
  return [...rows.values()];
}

/** `after` minus `before`, row by row; rows that do not change are left out. */
export function difference(after: readonly DayRow[], before: readonly DayRow[]): DayRow[] {
  const rows = new Map(after.map((r) => [keyOf(r), { ...r }]));
  for (const b of before) {
    const row = rows.get(keyOf(b)) ?? { ...b, ...zero() };
    for (const f of FIGURES) row[f] -= b[f];
    rows.set(keyOf(b), row);
  }
  return [...rows.values()].filter((r) => FIGURES.some((f) => r[f] !== 0));
}

/** The day and slice each event counts its listener active in (distinct: one row each). */
export function activeDays(events: readonly RollupEvent[]): ({ day: string; listenerId: string } & Slice)[] {
  const rows = new Map<string, { day: string; listenerId: string } & Slice>();
  for (const e of events) {
    const row = { day: dayOf(e.at), listenerId: e.listenerId, ...sliceOf(e.context, e.device, e.region) };
    rows.set(`${e.listenerId}\u0000${keyOf(row)}`, row);
  }
  return [...rows.values()];
}

export interface ListPlay extends Slice {
  day: string;
  recommendationId: string;
  listenerId: string;
  completed: boolean;
}

/**
 * Lists played per day: each served list (a recommendation id of a list surface) a playback event
 * was credited to, completed when its last track was played to the end that day. Distinct by day,
 * id and device (the slice); each depends on the event alone, so adding rows is idempotent.
 */
export function listPlays(events: readonly RollupEvent[]): ListPlay[] {
  const plays = new Map<string, ListPlay>();
  for (const e of events) {
    const id = e.context?.recommendationId;
    const served = id ? parseRecommendationId(id) : null;
    if (!id || !served || !isListSurface(served.surface) || !PLAYBACK_TYPES.has(e.type)) continue;
    const play = {
      day: dayOf(e.at),
      recommendationId: id,
      listenerId: e.listenerId,
      ...sliceOf(e.context, e.device, e.region),
    };
    const key = `${play.day}\u0000${id}\u0000${play.device}`;
    const completed = (plays.get(key)?.completed ?? false) || (e.listEnd && isCompletion(e));
    plays.set(key, { ...play, completed });
  }
  return [...plays.values()];
}

/** Closed sessions as a histogram of exact lengths per day of their start and region. */
export function sessionHistogram(
  sessions: readonly { startedAt: number; lengthMs: number; region: string }[],
): (LengthCount & { day: string; region: string })[] {
  const counts = new Map<string, LengthCount & { day: string; region: string }>();
  for (const s of sessions) {
    const day = dayOf(s.startedAt);
    const key = `${day}\u0000${s.region}\u0000${s.lengthMs}`;
    const c = counts.get(key) ?? { day, region: s.region, lengthMs: s.lengthMs, sessions: 0 };
    c.sessions++;
    counts.set(key, c);
  }
  return [...counts.values()];
}
