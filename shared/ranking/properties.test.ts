import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../catalog/types";
import { applyEvent, createSession } from "../session/state";
import { rankRecommendations } from "./index";
import { byId, generateTracks, NOW } from "./test-fixtures";
import type { Candidate } from "./types";

const catalog = generateTracks(120, 41, { artists: 25 });
const pool = generateTracks(60, 42, { prefix: "p" });
const tracks = byId(catalog);
const trackIndex = fc.integer({ min: 0, max: catalog.length - 1 });

const candidateArb = fc.record({
  index: trackIndex,
  score: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  source: fc.constantFrom<Candidate["source"]>("model", "similar", "chart", "fallback"),
  because: fc.option(trackIndex, { nil: undefined }),
});
const eventArb = fc.record({
  index: trackIndex,
  type: fc.constantFrom(...EVENT_TYPES),
  target: fc.constantFrom<"track" | "artist" | undefined>("track", "artist", undefined),
  positionMs: fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: undefined }),
  minutesAgo: fc.integer({ min: 0, max: 120 }),
});

const scenario = fc.record({
  candidates: fc.array(candidateArb, { maxLength: 150 }),
  events: fc.array(eventArb, { maxLength: 40 }),
  poolSize: fc.integer({ min: 0, max: pool.length }),
  n: fc.integer({ min: -5, max: 120 }),
  seed: fc.integer(),
  activity: fc.constantFrom(undefined, "workout" as const, "sleep" as const),
});

describe("rankRecommendations properties", () => {
  it("returns at most n distinct items drawn from the candidates and pool, none excluded", () => {
    fc.assert(
      fc.property(scenario, ({ candidates, events, poolSize, n, seed, activity }) => {
        const session = [...events]
          .sort((a, b) => b.minutesAgo - a.minutesAgo)
          .reduce((state, e, i) => {
            const track = catalog[e.index]!;
            const timestamp = NOW - e.minutesAgo * 60_000;
            return applyEvent(
              state,
              {
                id: `e${i}`,
                trackId: track.id,
                artistId: track.artistId,
                type: e.type,
                target: e.target,
                positionMs: e.positionMs,
                timestamp,
              },
              timestamp,
            );
          }, createSession());
        const explorationPool = pool.slice(0, poolSize);
        const ranked = rankRecommendations({
          candidates: candidates.map((c) => ({
            trackId: catalog[c.index]!.id,
            score: c.score,
            source: c.source,
            because: c.because === undefined ? undefined : catalog[c.because]!.id,
          })),
          tracks,
          session,
          explorationPool,
          context: { activity },
          now: NOW,
          seed,
          n,
        });

        const allowed = new Set([...candidates.map((c) => catalog[c.index]!.id), ...explorationPool.map((t) => t.id)]);
        const ids = ranked.map((r) => r.trackId);
        expect(ranked.length).toBeLessThanOrEqual(Math.min(100, Math.max(1, n)));
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.every((id) => allowed.has(id))).toBe(true);
        const info = [...tracks.values(), ...explorationPool];
        const artistOf = new Map(info.map((t) => [t.id, t.artistId]));
        for (const id of ids) {
          expect(session.dislikes.tracks).not.toContain(id);
          expect(session.dislikes.artists).not.toContain(artistOf.get(id));
        }
        expect(ranked.every((r) => r.reason.text.length > 0 && Number.isFinite(r.score))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("fills the list whenever there are enough eligible candidates", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer(), (n, seed) => {
        const candidates = catalog.map((t, i) => ({ trackId: t.id, score: i, source: "model" as const }));
        expect(rankRecommendations({ candidates, tracks, now: NOW, seed, n })).toHaveLength(n);
      }),
      { numRuns: 30 },
    );
  });
});
