import type { Activity, Device, EventType, Track } from "../catalog/types";
import { seededRandom } from "../util/random";
import type { DemoCatalog } from "./catalog";
import {
  DEMO_REGIONS,
  REGION_SHARES,
  deviceHabits,
  pickDevice,
  sessionActivity,
  sessionStart,
  type DemoRegion,
} from "./context";
import { demoPopularity, type Popularity } from "./popularity";
import { react } from "./reaction";
import { chance, intBetween, pickWeighted, weightedSampler, type Random } from "./sampling";
import { affinity, artistSounds, buildTasteClusters, createListenerTaste, type ListenerTaste } from "./taste";

export interface DemoListener {
  id: string;
  region: DemoRegion;
  createdAt: number;
  /** Hidden ground truth for evaluating recommenders (indexes of taste clusters); never a model input. */
  tasteClusters: number[];
}

export interface DemoEvent {
  id: string;
  listenerId: string;
  trackId: string;
  type: EventType;
  timestamp: number;
  positionMs: number;
  device: Device;
  context?: { activity: Activity };
}

export interface DemoListenerOptions {
  seed?: number;
  count?: number;
  now?: number;
  days?: number;
}

export interface DemoListening {
  listeners: DemoListener[];
  events: DemoEvent[];
}

export const DEMO_NOW = Date.parse("2026-11-20T12:00:00Z");
/** How many listeners the demo seeds (`demo-1` ...). */
export const DEMO_LISTENER_COUNT = 500;

const DAY_MS = 86_400_000;

const MIN_EVENTS = 60;
const MAX_EVENTS = 250;
/** Most demo accounts predate the event window; the rest sign up during it and have a shorter history. */
const VETERAN_SHARE = 0.8;
const MAX_ACCOUNT_AGE_DAYS = 730;
const SESSION_GAP_MS = 10 * 60_000;

/** Where the next track comes from: favourite artists, the listener's genres, the charts, or pure shuffle. */
const FAVOURITE_SOURCE = 0.55;
const GENRE_SOURCE = 0.8;
const CHART_SOURCE = 0.92;
const RELEASED_TRACK_ATTEMPTS = 5;

/** Track lookups shared by all listeners. */
interface Library {
  tracks: Track[];
  artistOfTrack: Int32Array;
  releasedAt: Float64Array;
  byArtist: ((random: Random) => number)[];
  byGenre: Map<string, (random: Random) => number>;
  chart: (random: Random) => number;
}

function buildLibrary(catalog: DemoCatalog, popularity: Popularity): Library {
  const artistIndexById = new Map(catalog.artists.map((artist, i) => [artist.id, i]));
  const artistOfTrack = Int32Array.from(catalog.tracks, (track) => artistIndexById.get(track.artistId)!);
  const releasedAt = Float64Array.from(catalog.tracks, (track) => Date.parse(track.releaseDate));
  const tracksOfArtist = catalog.artists.map((): number[] => []);
  const tracksOfGenre = new Map<string, number[]>();
  catalog.tracks.forEach((track, i) => {
    tracksOfArtist[artistOfTrack[i]!]!.push(i);
    const genreTracks = tracksOfGenre.get(track.genre);
    if (genreTracks) genreTracks.push(i);
    else tracksOfGenre.set(track.genre, [i]);
  });
  const byPopularity = (indexes: number[]) =>
    weightedSampler(
      indexes,
      indexes.map((i) => popularity.tracks[i]!),
    );
  return {
    tracks: catalog.tracks,
    artistOfTrack,
    releasedAt,
    byArtist: tracksOfArtist.map(byPopularity),
    byGenre: new Map([...tracksOfGenre].map(([genre, indexes]) => [genre, byPopularity(indexes)])),
    chart: byPopularity(catalog.tracks.map((_, i) => i)),
  };
}

interface Listening {
  random: Random;
  library: Library;
  taste: ListenerTaste;
  genres: string[];
  genreShares: number[];
  liked: Set<number>;
  disliked: Set<number>;
}

/** Tracks released after the moment of listening are redrawn; undefined if none turned up. */
function chooseTrack(listening: Listening, atMs: number): number | undefined {
  const { random, library, taste } = listening;
  for (let attempt = 0; attempt < RELEASED_TRACK_ATTEMPTS; attempt++) {
    const source = random();
    const trackIndex =
      source < FAVOURITE_SOURCE
        ? library.byArtist[pickWeighted(random, taste.favouriteArtists, taste.favouriteWeights)]!(random)
        : source < GENRE_SOURCE
          ? library.byGenre.get(pickWeighted(random, listening.genres, listening.genreShares))!(random)
          : source < CHART_SOURCE
            ? library.chart(random)
            : Math.floor(random() * library.tracks.length);
    if (library.releasedAt[trackIndex]! <= atMs) return trackIndex;
  }
  return undefined;
}

type Emit = (type: EventType, trackIndex: number, timestamp: number, positionMs: number) => void;

/** One play of a track and the reactions to it (`react`). Returns when the listener moves on. */
function listen(listening: Listening, trackIndex: number, startMs: number, emit: Emit): number {
  const { random, library } = listening;
  const track = library.tracks[trackIndex]!;
  const durationMs = track.features.durationMs;
  const enjoyment = affinity(listening.taste, track, library.artistOfTrack[trackIndex]!);
  emit("play", trackIndex, startMs, 0);
  const reaction = react(random, enjoyment, durationMs, {
    liked: listening.liked.has(trackIndex),
    disliked: listening.disliked.has(trackIndex),
  });
  for (const { type, atMs, positionMs } of reaction.events) {
    if (type === "like") listening.liked.add(trackIndex);
    if (type === "dislike") listening.disliked.add(trackIndex);
    emit(type, trackIndex, startMs + atMs, positionMs);
  }
  return startMs + reaction.listenedMs;
}

interface SessionPlan {
  device: Device;
  activity: Activity | undefined;
  startMs: number;
}

/** About MIN_EVENTS..MAX_EVENTS events spread over sessions; whatever would happen after `nowMs` is cut off. */
function simulateListener(
  listening: Listening,
  listener: DemoListener,
  listenerNumber: number,
  fromMs: number,
  nowMs: number,
): DemoEvent[] {
  const { random, library, taste } = listening;
  const budget = MIN_EVENTS + Math.floor((MAX_EVENTS - MIN_EVENTS) * random() ** 1.3);
  const habits = deviceHabits(random);
  const plans: SessionPlan[] = Array.from(
    { length: Math.max(3, Math.round(budget / intBetween(random, 12, 28))) },
    () => {
      const device = pickDevice(random, habits);
      const activity = sessionActivity(random, device, taste.energy);
      return { device, activity, startMs: sessionStart(random, listener.region, activity, fromMs, nowMs) };
    },
  ).sort((a, b) => a.startMs - b.startMs);

  const events: DemoEvent[] = [];
  let clock = fromMs - SESSION_GAP_MS;
  plans.forEach((plan, sessionIndex) => {
    const context = plan.activity && { activity: plan.activity };
    const emit: Emit = (type, trackIndex, timestamp, positionMs) => {
      if (timestamp > nowMs) return;
      const event: DemoEvent = {
        id: `demo-ev-${listenerNumber}-${events.length + 1}`,
        listenerId: listener.id,
        trackId: library.tracks[trackIndex]!.id,
        type,
        timestamp,
        positionMs,
        device: plan.device,
      };
      if (context) event.context = context;
      events.push(event);
    };
    const target = events.length + Math.ceil((budget - events.length) / (plans.length - sessionIndex));
    let atMs = Math.max(plan.startMs, clock + SESSION_GAP_MS);
    // Each slot plays at most one track, which bounds the loop even when no released track is drawn.
    for (let slot = 0; slot < budget && events.length < target && atMs <= nowMs; slot++) {
      const trackIndex = chooseTrack(listening, atMs);
      if (trackIndex !== undefined) atMs = listen(listening, trackIndex, atMs, emit) + intBetween(random, 0, 3_000);
    }
    clock = atMs;
  });
  return events;
}

/**
 * Demo listeners with hidden tastes and their listening history over the `days` before `now`,
 * deterministic for a seed and a catalog.
 */
export function generateDemoListeners(catalog: DemoCatalog, options: DemoListenerOptions = {}): DemoListening {
  const { listeners, events } = drawDemoListeners(catalog, options);
  return { listeners, events };
}

/**
 * The hidden tastes the demo listeners' histories were drawn from, in listener order: the ground truth
 * the listener simulator (shared/simulator) plays on, so it goes on listening as the seeded history did.
 */
export function demoListenerTastes(
  catalog: DemoCatalog,
  options: DemoListenerOptions = {},
): { listener: DemoListener; taste: ListenerTaste }[] {
  const { listeners, tastes } = drawDemoListeners(catalog, options);
  return listeners.map((listener, i) => ({ listener, taste: tastes[i]! }));
}

function drawDemoListeners(
  catalog: DemoCatalog,
  options: DemoListenerOptions,
): DemoListening & { tastes: ListenerTaste[] } {
  const { seed = 1, count = DEMO_LISTENER_COUNT, now = DEMO_NOW, days = 60 } = options;
  const random = seededRandom(seed);
  const popularity = demoPopularity(catalog, random, now);
  const clusters = buildTasteClusters(random, artistSounds(catalog), popularity.artists);
  // Some tastes are far more common than others, like real audiences.
  const clusterShares = clusters.map((_, i) => 1 / Math.sqrt(i + 1));
  const library = buildLibrary(catalog, popularity);
  const windowStartMs = now - days * DAY_MS;

  const listeners: DemoListener[] = [];
  const events: DemoEvent[] = [];
  const tastes: ListenerTaste[] = [];
  for (let listenerNumber = 1; listenerNumber <= count; listenerNumber++) {
    const region = pickWeighted(random, DEMO_REGIONS, REGION_SHARES);
    const createdAt = chance(random, VETERAN_SHARE)
      ? windowStartMs - Math.floor(random() * MAX_ACCOUNT_AGE_DAYS * DAY_MS)
      : windowStartMs + Math.floor(random() * (2 / 3) * days * DAY_MS);
    const taste = createListenerTaste(random, clusters, clusterShares);
    const listener: DemoListener = { id: `demo-${listenerNumber}`, region, createdAt, tasteClusters: taste.clusters };
    listeners.push(listener);
    tastes.push(taste);
    const listening: Listening = {
      random,
      library,
      taste,
      genres: [...taste.genreWeights.keys()],
      genreShares: [...taste.genreWeights.values()],
      liked: new Set(),
      disliked: new Set(),
    };
    for (const event of simulateListener(
      listening,
      listener,
      listenerNumber,
      Math.max(createdAt, windowStartMs),
      now,
    )) {
      events.push(event);
    }
  }
  return { listeners, events, tastes };
}
