import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Activity } from "../catalog/types";
import { contextFit } from "../context/fit";
import { ACTIVITY_TARGETS } from "../context/targets";
import { activityPool, contextCandidates, contextMatches, STATED_CONTEXT_MIN_FIT } from "./context-retrieval";
import { rankRecommendations } from "./index";
import { trackSimilarity } from "./similarity";
import { byId, generateTracks, makeTrack, modelCandidates, NOW } from "./test-fixtures";
import type { TrackInfo } from "./types";

const loudPop = (id: string, energy = 0.9) =>
  makeTrack(id, { genre: "pop", features: { energy, tempo: 128, acousticness: 0.1, danceability: 0.8 } });
const calm = (id: string, genre: string) =>
  makeTrack(id, {
    genre,
    features: { energy: 0.15, tempo: 70, acousticness: 0.85, instrumentalness: 0.7, speechiness: 0.03 },
  });
const meanEnergy = (ids: string[], tracks: Map<string, TrackInfo>) =>
  ids.reduce((sum, id) => sum + tracks.get(id)!.features.energy, 0) / ids.length;

describe("activityPool", () => {
  it("holds exactly the tracks that suit the activity, by genre", () => {
    const catalog = generateTracks(400, 3);
    const pool = [...activityPool(catalog, "sleep").byGenre].flatMap(([genre, entries]) =>
      entries.map(({ track }) => ({ genre, track })),
    );
    const fit = (t: TrackInfo) => contextFit(t.features, ACTIVITY_TARGETS.sleep);
    expect(pool.length).toBeGreaterThan(0);
    expect(pool.every(({ genre, track }) => track.genre === genre)).toBe(true);
    expect(pool.map(({ track }) => track)).toEqual(
      expect.arrayContaining(catalog.filter((t) => fit(t) >= STATED_CONTEXT_MIN_FIT)),
    );
    expect(pool.every(({ track }) => fit(track) >= STATED_CONTEXT_MIN_FIT)).toBe(true);
  });
});

describe("contextMatches", () => {
  it("gives the best of the tracks it scans, best first, each with its closest anchor, whatever the count", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 80 }),
        (seed, anchorCount, count) => {
          const catalog = generateTracks(150, seed);
          const pool = activityPool(catalog, "workout");
          const anchors = catalog.slice(0, anchorCount);
          // Scored here by brute force: each pool entry's mean similarity to the placed anchors.
          const placed = anchors.map((track) => ({ track, vector: pool.place(track) }));
          const scored = [...pool.byGenre.values()].flat().map((entry) => {
            const similarities = placed.map((a) => trackSimilarity(a.vector, entry.vector));
            const closest = similarities.indexOf(Math.max(...similarities));
            return {
              track: entry.track,
              likeness: similarities.reduce((sum, x) => sum + x, 0) / placed.length,
              centrality: entry.centrality,
              anchor: placed[closest]!.track,
            };
          });
          // The anchors' own genres are scanned, and the rest of the pool only when those hold too few.
          const own = scored.filter((m) => anchors.some((a) => a.genre === m.track.genre));
          const scanned = own.length < count ? scored : own;
          const best = contextMatches(pool, anchors, count);
          expect(best.map((m) => m.likeness)).toEqual(
            scanned
              .map((m) => m.likeness)
              .sort((a, b) => b - a)
              .slice(0, count),
          );
          const expected = new Map(scanned.map((m) => [m.track.id, m]));
          for (const match of best) expect(match).toEqual(expected.get(match.track.id));
          expect(contextMatches(pool, anchors, Infinity)).toHaveLength(scored.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("keeps, of tracks that match equally, the one the pool holds first", () => {
    const twins = [calm("twin-1", "ambient"), calm("twin-2", "ambient")];
    const pool = activityPool(twins, "sleep");
    expect(contextMatches(pool, [calm("anchor", "ambient")], 1).map((m) => m.track.id)).toEqual(["twin-1"]);
    const reversed = activityPool([...twins].reverse(), "sleep");
    expect(contextMatches(reversed, [calm("anchor", "ambient")], 1).map((m) => m.track.id)).toEqual(["twin-2"]);
  });
});

describe("contextCandidates", () => {
  const listened = Array.from({ length: 30 }, (_, i) => loudPop(`pop${i}`));
  const calmTracks = [calm("calm-pop", "pop"), calm("calm-ambient", "ambient"), calm("calm-metal", "metal")];
  const pool = activityPool(calmTracks, "sleep");
  const tracks = byId([...listened, ...calmTracks]);
  const candidates = modelCandidates(listened, 1);

  it("finds the tracks for the moment closest to the listener's own, and not those already offered", () => {
    // The listener's own genre first; other genres only when it holds too few.
    expect(contextCandidates(pool, candidates, tracks, 1).map((c) => c.trackId)).toEqual(["calm-pop"]);
    const found = contextCandidates(pool, candidates, tracks, 2);
    expect(found.map((c) => c.trackId)).toEqual(["calm-pop", expect.any(String)]);
    expect(found.every((c) => c.source === "context")).toBe(true);
    const offered = contextCandidates(
      pool,
      [...candidates, { trackId: "calm-pop", score: 1, source: "model" }],
      tracks,
      3,
    );
    expect(offered.map((c) => c.trackId)).not.toContain("calm-pop");
  });

  it("finds nothing without the listener's own candidates to go by", () => {
    expect(contextCandidates(pool, [], tracks, 5)).toEqual([]);
  });
});

describe("a stated activity shapes the list", () => {
  it("a sleep list for a listener whose candidates are all loud is calm, from the catalog's calm tracks", () => {
    const listened = Array.from({ length: 80 }, (_, i) => loudPop(`pop${i}`, 0.75 + (i % 5) * 0.05));
    const calmTracks = Array.from({ length: 60 }, (_, i) => calm(`calm${i}`, i % 2 ? "pop" : "ambient"));
    const tracks = byId([...listened, ...calmTracks]);
    const input = { candidates: modelCandidates(listened, 2), tracks, now: NOW, seed: 1, n: 20 };
    const sleep = rankRecommendations({
      ...input,
      context: { activity: "sleep" },
      activityPool: (a) => activityPool(tracks.values(), a),
    });
    expect(
      meanEnergy(
        sleep.map((i) => i.trackId),
        tracks,
      ),
    ).toBeLessThan(0.3);
  });

  it("for every catalog and listener drawn, a workout top 20 is more energetic than a sleep top 20", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (catalogSeed, listenerSeed) => {
          const catalog = generateTracks(600, catalogSeed);
          const tracks = byId(catalog);
          // The listener's candidates: one taste corner of the catalog (a genre pair), scored at random.
          const genres = new Set([
            catalog[listenerSeed % catalog.length]!.genre,
            catalog[(listenerSeed * 7) % catalog.length]!.genre,
          ]);
          const own = catalog.filter((t) => genres.has(t.genre)).slice(0, 300);
          const input = {
            candidates: modelCandidates(own, listenerSeed),
            tracks,
            now: NOW,
            seed: listenerSeed,
            n: 20,
            explorationPool: catalog.slice(0, 100),
            activityPool: (a: Activity) => activityPool(catalog, a),
          };
          const energy = (activity: "workout" | "sleep") =>
            meanEnergy(
              rankRecommendations({ ...input, context: { activity } }).map((i) => i.trackId),
              tracks,
            );
          expect(energy("workout")).toBeGreaterThan(energy("sleep"));
        },
      ),
      { numRuns: 40 },
    );
    // 80 pools built (each with its centralities): not a timing check, room for a loaded machine.
  }, 30_000);
});
