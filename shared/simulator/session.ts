import { DAY_MS } from "../analytics/days";
import type { Activity, Device, EventType } from "../catalog/types";
import { EARLY_SKIP_MAX_MS, react } from "../demo";
import { chance, clamp, gaussian, intBetween, pickWeighted } from "../demo/sampling";
import { enjoyment, type ServedTrack, type SimListener } from "./listener";

/**
 * What serves a session. `charts` is the popularity-only ranking (GET /v1/charts/top), the baseline
 * the personal surfaces are compared with; the others are the personal answers that carry a
 * recommendation id.
 */
export const SIM_SURFACES = ["recommendations", "playlist", "radio", "speaker", "charts"] as const;
export type SimSurface = (typeof SIM_SURFACES)[number];

/** Off a speaker, what a session asks for; a speaker mostly asks the speaker route. */
const SURFACE_WEIGHTS: Record<Exclude<SimSurface, "speaker">, number> = {
  recommendations: 0.5,
  playlist: 0.2,
  radio: 0.15,
  charts: 0.15,
};
const SPEAKER_ROUTE_SHARE = 0.7;
/** Daily chance of a habit becoming a session, at satisfaction 0 and 1 (times the listener's keenness). */
const RETURN_AT_WORST = 0.4;
const RETURN_AT_BEST = 1.6;
const START_JITTER_MS = 20 * 60_000;
const MIN_WANTED = 6;
const MAX_WANTED = 20;
/** Early skips a listener puts up with before leaving; a completion wins half of one back. */
const PATIENCE = 3;
/** No session outlasts this: the backdated days leave room for it before now. */
export const MAX_SESSION_MS = 150 * 60_000;
const MAX_GAP_MS = 3_000;
const SATISFACTION_MEMORY = 0.7;

export interface SessionPlan {
  startMs: number;
  device: Device;
  activity: Activity | undefined;
  surface: SimSurface;
}

/**
 * The sessions of one simulated day, the 24 hours before `dayEndMs`: each habit whose daily draw
 * comes up starts at its local time of day (give or take), in time order.
 */
export function planDay(listener: SimListener, dayEndMs: number): SessionPlan[] {
  const { random } = listener;
  const odds = listener.keenness * (RETURN_AT_WORST + (RETURN_AT_BEST - RETURN_AT_WORST) * listener.satisfaction);
  const dayStartMs = dayEndMs - DAY_MS;
  const plans = listener.habits.flatMap((habit): SessionPlan[] => {
    if (!chance(random, clamp(odds, 0, 0.95))) return [];
    const local = habit.localStartMs + gaussian(random, 0, START_JITTER_MS);
    // The one instant of the window whose local time of day is `local`.
    const sinceStart = (((local - listener.utcOffsetMs - dayStartMs) % DAY_MS) + DAY_MS) % DAY_MS;
    const surface =
      habit.device === "speaker" && chance(random, SPEAKER_ROUTE_SHARE)
        ? "speaker"
        : pickWeighted(
            random,
            Object.keys(SURFACE_WEIGHTS) as (keyof typeof SURFACE_WEIGHTS)[],
            Object.values(SURFACE_WEIGHTS),
          );
    return [{ startMs: Math.floor(dayStartMs + sinceStart), device: habit.device, activity: habit.activity, surface }];
  });
  return plans.sort((a, b) => a.startMs - b.startMs);
}

/** An event of a session, `atMs` after it started. */
export interface SimEvent {
  trackId: string;
  type: EventType;
  atMs: number;
  positionMs: number;
}

export interface SessionOutcome {
  events: SimEvent[];
  /** Listens started (a repeat is part of its listen). */
  plays: number;
  /** Skips before 30 s, the skip rate's numerator. */
  earlySkips: number;
  completes: number;
  likes: number;
  /** From the first play to when the listener stopped. */
  lengthMs: number;
}

/**
 * A listener's session, one served track at a time: it plays what it is served in order and reacts
 * by how much it enjoys each track, and stops when it has heard what it came for, has run out of
 * patience with early skips, or has been at it for MAX_SESSION_MS. Pure apart from the listener's
 * own stream and its liked/disliked sets.
 */
export class SimSession {
  readonly #listener: SimListener;
  readonly #activity: Activity | undefined;
  readonly #artistIndex: Map<string, number>;
  readonly #wanted: number;
  #patience = PATIENCE;
  #clockMs = 0;
  readonly #outcome: SessionOutcome = { events: [], plays: 0, earlySkips: 0, completes: 0, likes: 0, lengthMs: 0 };

  constructor(listener: SimListener, activity: Activity | undefined, artistIndex: Map<string, number>) {
    this.#listener = listener;
    this.#activity = activity;
    this.#artistIndex = artistIndex;
    this.#wanted = intBetween(listener.random, MIN_WANTED, MAX_WANTED);
  }

  /** The session's events so far. */
  get events(): readonly SimEvent[] {
    return this.#outcome.events;
  }

  /** How far into the session the listener is. */
  get clockMs(): number {
    return this.#clockMs;
  }

  /** Whether the listener goes on to another track. */
  get wantsMore(): boolean {
    return this.#outcome.plays < this.#wanted && this.#patience > 0 && this.#clockMs < MAX_SESSION_MS;
  }

  /** Plays `track` (if the listener still wants more); answers whether it goes on after it. */
  play(track: ServedTrack): boolean {
    if (!this.wantsMore) return false;
    const listener = this.#listener;
    const outcome = this.#outcome;
    if (outcome.plays > 0) this.#clockMs += intBetween(listener.random, 0, MAX_GAP_MS);
    const startMs = this.#clockMs;
    const fondness = enjoyment(listener, track, this.#activity, this.#artistIndex);
    const reaction = react(listener.random, fondness, track.durationMs, {
      liked: listener.liked.has(track.id),
      disliked: listener.disliked.has(track.id),
    });
    outcome.plays++;
    outcome.events.push({ trackId: track.id, type: "play", atMs: startMs, positionMs: 0 });
    for (const { type, atMs, positionMs } of reaction.events) {
      outcome.events.push({ trackId: track.id, type, atMs: startMs + atMs, positionMs });
      if (type === "like") {
        listener.liked.add(track.id);
        outcome.likes++;
      }
      if (type === "dislike") listener.disliked.add(track.id);
      if (type === "complete") outcome.completes++;
      if (type === "skip" && positionMs <= EARLY_SKIP_MAX_MS) {
        outcome.earlySkips++;
        this.#patience--;
      }
    }
    if (!reaction.events.some((e) => e.type === "skip")) this.#patience = Math.min(PATIENCE, this.#patience + 0.5);
    this.#clockMs = startMs + reaction.listenedMs;
    outcome.lengthMs = this.#clockMs;
    return this.wantsMore;
  }

  /** The session as it ended; the listener remembers how it went. */
  finish(): SessionOutcome {
    const { plays, completes } = this.#outcome;
    if (plays > 0) {
      const listener = this.#listener;
      listener.satisfaction =
        SATISFACTION_MEMORY * listener.satisfaction + (1 - SATISFACTION_MEMORY) * Math.min(1, completes / plays);
    }
    return this.#outcome;
  }
}
