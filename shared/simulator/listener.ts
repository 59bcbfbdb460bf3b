/**
 * Simulated listeners: a test bench for the KPIs and experiments, not a claim about real people.
 * Each is one of the demo's listeners (same id, same hidden taste the seeded history was drawn
 * from), with habits of its own: the hours and devices it listens at, and how keen it is.
 */
import type { Activity, AudioFeatures, Device } from "../catalog/types";
import { ACTIVITY_TARGETS, contextFit } from "../context";
import {
  DEMO_LISTENER_COUNT,
  DEMO_NOW,
  DEMO_REFERENCE_DATE,
  UTC_OFFSET_HOURS,
  affinity,
  demoListenerTastes,
  deviceHabits,
  generateDemoCatalog,
  localStartMs,
  pickDevice,
  sessionActivity,
  type DemoCatalog,
  type DemoRegion,
  type ListenerTaste,
} from "../demo";
import { fnv1a } from "../util/hash";
import { seededRandom } from "../util/random";

const MAX_HABITS = 3;
/** How much the context (an activity's sound) weighs against taste when there is one. */
const CONTEXT_WEIGHT = 0.25;

/** A session the listener habitually has: on this device, for this activity, at this local time of day. */
export interface Habit {
  device: Device;
  activity: Activity | undefined;
  /** Milliseconds after local midnight. */
  localStartMs: number;
}

export interface SimListener {
  id: string;
  region: DemoRegion;
  utcOffsetMs: number;
  taste: ListenerTaste;
  habits: Habit[];
  /** The daily chance of each habit turning into a session, before satisfaction moves it. */
  keenness: number;
  /** 0..1, a running mean of the share of tracks completed in its sessions: served well, it comes back more. */
  satisfaction: number;
  liked: Set<string>;
  disliked: Set<string>;
  /** The listener's own stream: its draws do not depend on the order other listeners are simulated in. */
  random: () => number;
}

/** What the simulator knows of a served track: what the API answers about it. */
export interface ServedTrack {
  id: string;
  artistId: string;
  genre: string;
  durationMs: number;
  features: AudioFeatures;
}

export interface Bench {
  listeners: SimListener[];
  /** The demo catalog's artist ids, to the indexes tastes name favourites by. */
  artistIndex: Map<string, number>;
  artistIds: string[];
  /**
   * What each demo track sounds like (the same genre and features GET /v1/tracks/{id} answers): what a
   * listener hears of a track it is served, so the service is asked only about tracks not in the demo.
   */
  heard: Map<string, ServedTrack>;
}

let lastDraw: { count: number; catalog: DemoCatalog; drawn: ReturnType<typeof demoListenerTastes> } | undefined;

/** The demo's catalog and listeners as seeded; drawn once for a count (the tastes are only read). */
function demoDraw(count: number) {
  if (lastDraw?.count !== count) {
    const catalog = generateDemoCatalog(1, DEMO_REFERENCE_DATE);
    lastDraw = { count, catalog, drawn: demoListenerTastes(catalog, { now: DEMO_NOW, count }) };
  }
  return lastDraw;
}

/**
 * `count` listeners, deterministic by `seed`: demo-1 ... demo-<count>, with the demo's tastes. The
 * demo draws listeners one after another, so the seeded ones come out the same from a longer draw;
 * beyond DEMO_LISTENER_COUNT they are listeners the service has never seen.
 */
export function simulatedListeners(count: number, seed: number): Bench {
  const { catalog, drawn } = demoDraw(Math.max(count, DEMO_LISTENER_COUNT));
  const listeners = drawn.slice(0, count).map(({ listener, taste }): SimListener => {
    const random = seededRandom(fnv1a(`${seed}:${listener.id}`));
    const devices = deviceHabits(random);
    const habits = Array.from({ length: 1 + Math.floor(random() * MAX_HABITS) }, (): Habit => {
      const device = pickDevice(random, devices);
      const activity = sessionActivity(random, device, taste.energy);
      return { device, activity, localStartMs: localStartMs(random, activity) };
    });
    return {
      id: listener.id,
      region: listener.region,
      utcOffsetMs: UTC_OFFSET_HOURS[listener.region] * 3_600_000,
      taste,
      habits,
      keenness: 0.35 + 0.55 * random(),
      satisfaction: 0.5,
      liked: new Set(),
      disliked: new Set(),
      random,
    };
  });
  const artistIds = catalog.artists.map((artist) => artist.id);
  const heard = new Map(
    catalog.tracks.map((t): [string, ServedTrack] => [
      t.id,
      { id: t.id, artistId: t.artistId, genre: t.genre, durationMs: t.features.durationMs, features: t.features },
    ]),
  );
  return { listeners, artistIndex: new Map(artistIds.map((id, i) => [id, i])), artistIds, heard };
}

/** 0..1: how much the listener enjoys `track` now: its taste and, in an activity, how well the track suits it. */
export function enjoyment(
  listener: SimListener,
  track: ServedTrack,
  activity: Activity | undefined,
  artistIndex: Map<string, number>,
): number {
  const taste = affinity(listener.taste, track, artistIndex.get(track.artistId) ?? -1);
  if (!activity) return taste;
  return (1 - CONTEXT_WEIGHT) * taste + CONTEXT_WEIGHT * contextFit(track.features, ACTIVITY_TARGETS[activity]);
}
