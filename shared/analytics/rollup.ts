import type { z } from "zod";
import type { PlaybackContext, QueuedEvent } from "../api/schemas";
import { PLAYBACK_TYPES } from "../session/events";
import { DEFAULT_SESSION_CONFIG } from "../session";
import { parseRecommendationId } from "./attribution";
import { dayOf } from "./days";
import { discovery } from "./discovery";
import { isListSurface } from "./lists";
import { isCompletion, isEarlySkipped, isPlaybackStart, type PlaybackFacts } from "./playback";
import { isRepeatListen } from "./repeat";
import { SLICE_DIMENSIONS } from "./groups";
import { sliceOf, type Slice } from "./slice";
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

/** A queued event as the KPIs figure it, with its listener's region and its track's artist and duration. */
export function fromQueued(
  e: QueuedEvent,
  region: string | null,
  track: { artistId: string | null; durationMs: number | null } | undefined,
): RollupEvent {
  return {
    listenerId: e.listener,
    eventId: e.eventId,
    trackId: e.trackId,
    type: e.type,
    positionMs: e.positionMs,
    durationMs: track?.durationMs ?? null,
    artistId: track?.artistId ?? null,
    msPlayed: e.msPlayed,
    device: e.device,
    region,
    context: e.context,
    listEnd: e.listEnd ?? false,
    at: e.clientTs,
  };
}

/** What a listener's folded history (retention's per-track counts) says they played before their raw events. */
export interface ListenerPast {
  lastPlayedAt: Map<string, number>;
  artists: Set<string>;
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
export const byTime = (a: Pick<RollupEvent, "at" | "eventId">, b: Pick<RollupEvent, "at" | "eventId">) =>
  a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/**
 * What figuring one event needs of the listener's events before it (in `byTime` order): their last
 * playback event, the last playback of its track, and whether they played its artist. Nothing else
 * about the past changes what an event counts, which is what keeps adding events cheap (`added`).
 */
export interface Before {
  previous?: Pick<RollupEvent, "type" | "trackId" | "at" | "eventId">;
  trackPlayedAt?: number;
  artistKnown: boolean;
}

/** What one event adds to its day and slice, given what came before it. */
function count(row: DayRow, e: RollupEvent, before: Before): void {
  row.listeningMs += e.msPlayed ?? 0;
  if (e.type === "like") row.likes++;
  if (e.type === "add_to_playlist") row.saves++;
  if (!PLAYBACK_TYPES.has(e.type)) return;
  // The session's rule looks back within the session only: a playback after 30 idle minutes starts anew.
  const { previous, trackPlayedAt } = before;
  if (
    isPlaybackStart(previous && e.at - previous.at < DEFAULT_SESSION_CONFIG.idleTimeoutMs ? previous : undefined, e)
  ) {
    row.starts++;
    if (isRepeatListen(trackPlayedAt, e.at)) row.repeats++;
    const known = {
      tracks: new Set(trackPlayedAt === undefined ? [] : [e.trackId]),
      artists: new Set(before.artistKnown && e.artistId ? [e.artistId] : []),
    };
    const found = discovery(known, e.trackId, e.artistId);
    if (found.track) row.trackDiscoveries++;
    if (found.artist) row.artistDiscoveries++;
  }
  if (isEarlySkipped(e)) row.earlySkips++;
  if (isCompletion(e)) row.completions++;
}

/** Adds (sign 1) or takes (-1) what each event counts, given what came before it, to rows per day and slice. */
function tally(rows: Map<string, DayRow>, counted: readonly { event: RollupEvent; before: Before }[], sign: 1 | -1) {
  for (const { event, before } of counted) {
    const key = { day: dayOf(event.at), ...sliceOf(event.context, event.device, event.region) };
    const row = rows.get(keyOf(key)) ?? { ...key, ...zero() };
    rows.set(keyOf(key), row);
    const one = { ...key, ...zero() };
    count(one, event, before);
    for (const f of FIGURES) row[f] += sign * one[f];
  }
}

/**
 * What each of `events` had before it: `past` (what else came before it) combined with the playback
 * events of `among` before it. One sweep in `byTime` order.
 */
function befores(
  events: readonly RollupEvent[],
  past: (e: RollupEvent) => Before,
  among: readonly RollupEvent[],
): { event: RollupEvent; before: Before }[] {
  const playbacks = among.filter((e) => PLAYBACK_TYPES.has(e.type)).sort(byTime);
  const trackPlayedAt = new Map<string, number>();
  const artists = new Set<string>();
  let previous: RollupEvent | undefined;
  let i = 0;
  return [...events].sort(byTime).map((event) => {
    for (; i < playbacks.length && byTime(playbacks[i]!, event) < 0; i++) {
      previous = playbacks[i]!;
      trackPlayedAt.set(previous.trackId, previous.at);
      if (previous.artistId) artists.add(previous.artistId);
    }
    const own = past(event);
    const played = [own.trackPlayedAt, trackPlayedAt.get(event.trackId)].filter((t) => t !== undefined);
    return {
      event,
      before: {
        previous: previous && (!own.previous || byTime(own.previous, previous) < 0) ? previous : own.previous,
        trackPlayedAt: played.length > 0 ? Math.max(...played) : undefined,
        artistKnown: own.artistKnown || (event.artistId !== null && artists.has(event.artistId)),
      },
    };
  });
}

const pastOf =
  (past: ListenerPast) =>
  (e: RollupEvent): Before => ({
    trackPlayedAt: past.lastPlayedAt.get(e.trackId),
    artistKnown: e.artistId !== null && past.artists.has(e.artistId),
  });

/**
 * The figures of one listener's events, per day and slice, given what they did before them all.
 * Pure and order-free (each event is figured with the events before it in `byTime` order).
 */
export function figures(events: readonly RollupEvent[], past: ListenerPast): DayRow[] {
  const rows = new Map<string, DayRow>();
  tally(rows, befores(events, pastOf(past), events), 1);
  return [...rows.values()];
}

/**
 * What `fresh` events add to a listener's figures, given for each of them what the stored events
 * before it were (`before`), and the stored events whose figures they change with what came before
 * each as stored: the first stored playback after a fresh one (its previous playback), and the
 * first of its track and of its artist after it (repeat, discoveries). Exactly the figures of all
 * the events less those of the stored ones, reading only a few events around each fresh one.
 */
export function added(
  fresh: readonly { event: RollupEvent; before: Before }[],
  affected: readonly { event: RollupEvent; before: Before }[],
): DayRow[] {
  const rows = new Map<string, DayRow>();
  const events = fresh.map((f) => f.event);
  const stored = new Map([...fresh, ...affected].map((x) => [x.event, x.before]));
  const merged = (xs: readonly { event: RollupEvent }[]) =>
    befores(
      xs.map((x) => x.event),
      (e) => stored.get(e)!,
      events,
    );
  tally(rows, merged(fresh), 1);
  tally(rows, merged(affected), 1);
  tally(rows, affected, -1);
  return [...rows.values()].filter((r) => FIGURES.some((f) => r[f] !== 0));
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
