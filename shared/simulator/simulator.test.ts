import { describe, expect, it } from "vitest";
import type { AudioFeatures } from "../catalog/types";
import { DEMO_GENRES } from "../demo";
import { enjoyment, simulatedListeners, type ServedTrack, type SimListener } from "./listener";
import { planDay, SimSession } from "./session";
import { count, emptyTally, skipRate } from "./tally";

const DAY_MS = 86_400_000;
const bench = simulatedListeners(20, 1);

const features = (energy: number, valence: number): AudioFeatures => ({
  ...{ tempo: 110, energy, valence, danceability: 0.5, acousticness: 0.5, instrumentalness: 0.1 },
  ...{ speechiness: 0.05, loudness: -8, key: 0, mode: 1, durationMs: 200_000 },
});

/** A track made to the listener's taste: its top genre, its sound, a favourite artist. */
function fitting(listener: SimListener, n: number): ServedTrack {
  const [genre] = [...listener.taste.genreWeights].sort((a, b) => b[1] - a[1])[0]!;
  return {
    id: `fit-${n}`,
    artistId: bench.artistIds[listener.taste.favouriteArtists[0]!]!,
    genre,
    durationMs: 200_000,
    features: features(listener.taste.energy, listener.taste.valence),
  };
}

/** A track of a genre the listener does not listen to, by an artist it does not know, far from its sound. */
function misfitting(listener: SimListener, n: number): ServedTrack {
  const genre = DEMO_GENRES.find((g) => !listener.taste.genreWeights.has(g))!;
  const artist = bench.artistIds.findIndex((_, i) => !listener.taste.isFavourite.has(i));
  return {
    id: `misfit-${n}`,
    artistId: bench.artistIds[artist]!,
    genre,
    durationMs: 200_000,
    features: features(1 - listener.taste.energy, 1 - listener.taste.valence),
  };
}

/** Each listener served `make`'s tracks for `sessions` sessions; what it did with them. */
function serve(make: (listener: SimListener, n: number) => ServedTrack, seed = 1, sessions = 20) {
  const { listeners, artistIndex } = simulatedListeners(20, seed);
  const tally = emptyTally();
  let n = 0;
  for (const listener of listeners)
    for (let s = 0; s < sessions; s++) {
      const session = new SimSession(listener, undefined, artistIndex);
      while (session.play(make(listener, n++)));
      count(tally, session.finish());
    }
  return tally;
}

describe("simulated listeners", () => {
  it("complete tracks that fit their taste more often, and skip them less, than tracks that do not", () => {
    const good = serve(fitting);
    const bad = serve(misfitting);
    expect(good.completes / good.plays).toBeGreaterThan(0.7);
    expect(bad.completes / bad.plays).toBeLessThan(0.35);
    expect(skipRate(good)).toBeLessThan(skipRate(bad) / 3);
    // and stay longer, and like more
    expect(good.lengthMs / good.sessions).toBeGreaterThan((3 * bad.lengthMs) / bad.sessions);
    expect(good.likes).toBeGreaterThan(bad.likes);
  });

  it("are deterministic by seed", () => {
    expect(serve(fitting, 7)).toEqual(serve(fitting, 7));
    expect(serve(misfitting, 7)).toEqual(serve(misfitting, 7));
    const habits = (seed: number) => simulatedListeners(20, seed).listeners.map((l) => l.habits);
    expect(habits(7)).toEqual(habits(7));
    expect(habits(8)).not.toEqual(habits(7));
  });

  it("are the demo's listeners, with the tastes their seeded history was drawn from", () => {
    expect(bench.listeners.map((l) => l.id)).toEqual(Array.from({ length: 20 }, (_, i) => `demo-${i + 1}`));
    // Same ids and tastes whatever the seed: the seed draws habits, not who the listeners are.
    const other = simulatedListeners(20, 2).listeners;
    expect(other.map((l) => l.taste.favouriteArtists)).toEqual(bench.listeners.map((l) => l.taste.favouriteArtists));
  });

  it("enjoy a track that suits the session's activity more than one that does not", () => {
    const listener = bench.listeners[0]!;
    const track = fitting(listener, 0);
    const calm = { ...track, features: { ...track.features, energy: 0.1, tempo: 70, acousticness: 0.9 } };
    const loud = { ...track, features: { ...track.features, energy: 0.95, tempo: 170, acousticness: 0.05 } };
    expect(enjoyment(listener, calm, "sleep", bench.artistIndex)).toBeGreaterThan(
      enjoyment(listener, loud, "sleep", bench.artistIndex),
    );
    expect(enjoyment(listener, loud, "workout", bench.artistIndex)).toBeGreaterThan(
      enjoyment(listener, calm, "workout", bench.artistIndex),
    );
  });

  it("plan each day's sessions inside its 24 hours, at their habitual local hours", () => {
    const dayEndMs = Date.parse("2026-11-20T00:00:00Z");
    const { listeners } = simulatedListeners(50, 3);
    for (const listener of listeners) {
      const plans = planDay(listener, dayEndMs);
      expect(plans.length).toBeLessThanOrEqual(listener.habits.length);
      for (const plan of plans) {
        expect(plan.startMs).toBeGreaterThanOrEqual(dayEndMs - DAY_MS);
        expect(plan.startMs).toBeLessThan(dayEndMs);
        const localMs = (((plan.startMs + listener.utcOffsetMs) % DAY_MS) + DAY_MS) % DAY_MS;
        const nearest = Math.min(
          ...listener.habits.map((h) => {
            const d = Math.abs(localMs - h.localStartMs);
            return Math.min(d, DAY_MS - d);
          }),
        );
        expect(nearest).toBeLessThan(2 * 3_600_000);
      }
    }
  });

  it("come back less after sessions that went badly", () => {
    const sessionsOver = (make: (listener: SimListener, n: number) => ServedTrack) => {
      const { listeners, artistIndex } = simulatedListeners(50, 4);
      let sessions = 0;
      let n = 0;
      for (let day = 0; day < 14; day++)
        for (const listener of listeners)
          for (const plan of planDay(listener, day * DAY_MS)) {
            const session = new SimSession(listener, plan.activity, artistIndex);
            while (session.play(make(listener, n++)));
            session.finish();
            sessions++;
          }
      return sessions;
    };
    expect(sessionsOver(fitting)).toBeGreaterThan(1.3 * sessionsOver(misfitting));
  });
});
