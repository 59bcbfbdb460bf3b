import { describe, expect, it } from "vitest";
import type { ContextInput } from "../context/resolve";
import type { ListeningEvent } from "../session/events";
import { applyEvent, createSession, type SessionState } from "../session/state";
import { DEFAULT_RANKING_CONFIG, rankRecommendations } from "./index";
import { trackSimilarity, trackVector } from "./similarity";
import { byId, generateTracks, makeTrack, modelCandidates, NOW } from "./test-fixtures";
import type { RankedItem, RankingInput } from "./types";

const catalog = generateTracks(300, 11);
const tracks = byId(catalog);
const candidates = modelCandidates(catalog, 12);

function input(overrides: Partial<RankingInput> = {}): RankingInput {
  return { candidates, tracks, now: NOW, seed: 1, n: 20, ...overrides };
}

let eventId = 0;
function session(events: Array<Omit<ListeningEvent, "id" | "timestamp"> & { minutesAgo?: number }>): SessionState {
  return events.reduce((state, { minutesAgo = 1, ...e }) => {
    const timestamp = NOW - minutesAgo * 60_000;
    return applyEvent(state, { id: `ev${++eventId}`, timestamp, ...e }, timestamp);
  }, createSession());
}

const scoreOf = (ranked: RankedItem[]) => new Map(ranked.map((r) => [r.trackId, r.score]));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("rankRecommendations", () => {
  it("returns n items, each with a reason, deterministically for a seed", () => {
    const ranked = rankRecommendations(input());
    expect(ranked).toHaveLength(20);
    expect(ranked.every((r) => r.reason.code && r.reason.text)).toBe(true);
    expect(rankRecommendations(input())).toEqual(ranked);
  });

  it("clamps n to 1..100", () => {
    expect(rankRecommendations(input({ n: 0 }))).toHaveLength(1);
    expect(rankRecommendations(input({ n: 500 }))).toHaveLength(100);
  });

  it("removes tracks played this session, disliked tracks and tracks by disliked artists", () => {
    const [played, disliked, byDislikedArtist] = [catalog[0]!, catalog[1]!, catalog[2]!];
    const state = session([
      { trackId: played.id, artistId: played.artistId, type: "complete" },
      { trackId: disliked.id, artistId: disliked.artistId, type: "dislike" },
      { trackId: byDislikedArtist.id, artistId: byDislikedArtist.artistId, type: "dislike", target: "artist" },
    ]);
    const ids = new Set(rankRecommendations(input({ session: state, n: 100 })).map((r) => r.trackId));
    expect(ids.has(played.id)).toBe(false);
    expect(ids.has(disliked.id)).toBe(false);
    expect(catalog.filter((t) => t.artistId === byDislikedArtist.artistId).some((t) => ids.has(t.id))).toBe(false);
  });

  describe("skip-aware session taste", () => {
    // 90 candidates and n 100, so every candidate is in both rankings and scores compare directly
    const small = catalog.slice(0, 90);
    const smallInput = (state?: SessionState) => input({ candidates: candidates.slice(0, 90), n: 100, session: state });
    const a = small[0]!;
    const byArtist = small.filter((t) => t.artistId === a.artistId && t.id !== a.id);
    const neighbours = small
      .filter((t) => t.artistId !== a.artistId)
      .map((t) => ({ id: t.id, similarity: trackSimilarity(trackVector(a), trackVector(t)) }))
      .sort((x, y) => y.similarity - x.similarity)
      .slice(0, 5)
      .map((t) => t.id);
    const affected = [...byArtist.map((t) => t.id), ...neighbours];
    const before = scoreOf(rankRecommendations(smallInput()));

    it("has tracks by the same artist and content neighbours to check", () => {
      expect(byArtist.length).toBeGreaterThan(0);
      expect(neighbours).toHaveLength(5);
    });

    it("an early skip of A lowers A's artist and A's neighbours", () => {
      const state = session([
        { trackId: a.id, artistId: a.artistId, type: "play" },
        { trackId: a.id, artistId: a.artistId, type: "skip", positionMs: 8_000, durationMs: 200_000 },
      ]);
      const after = scoreOf(rankRecommendations(smallInput(state)));
      for (const id of affected) expect(after.get(id)!).toBeLessThan(before.get(id)!);
    });

    it("a completion and a repeat of A raise them", () => {
      const state = session([
        { trackId: a.id, artistId: a.artistId, type: "complete" },
        { trackId: a.id, artistId: a.artistId, type: "repeat" },
      ]);
      const after = scoreOf(rankRecommendations(smallInput(state)));
      for (const id of affected) expect(after.get(id)!).toBeGreaterThan(before.get(id)!);
    });

    it("names a completed track as the reason for its closest neighbour", () => {
      const state = session([{ trackId: a.id, artistId: a.artistId, type: "complete" }]);
      const ranked = rankRecommendations(smallInput(state));
      const closest = ranked.find((r) => r.trackId === neighbours[0]);
      expect(closest?.reason).toEqual({ code: "because_you_played", text: `Because you played ${a.title}` });
    });
  });

  it("ranks energetic, fast tracks higher for a workout than for sleep", () => {
    const top = (context: ContextInput) =>
      rankRecommendations(input({ context })).map((r) => tracks.get(r.trackId)!.features);
    const workout = top({ activity: "workout" }),
      sleep = top({ activity: "sleep" });
    expect(mean(workout.map((f) => f.energy))).toBeGreaterThan(mean(sleep.map((f) => f.energy)) + 0.2);
    expect(mean(workout.map((f) => f.tempo))).toBeGreaterThan(mean(sleep.map((f) => f.tempo)) + 20);
  });

  it("says a context-fitting track fits the context", () => {
    const ranked = rankRecommendations(input({ context: { activity: "workout" } }));
    expect(ranked.some((r) => r.reason.text === "Fits your workout")).toBe(true);
  });

  it("uses the session's activity when the request gives none", () => {
    const state = session([{ trackId: catalog[299]!.id, type: "play", context: { activity: "sleep" } }]);
    const fromSession = rankRecommendations(input({ session: state }));
    const stated = rankRecommendations(input({ session: state, context: { activity: "sleep" } }));
    expect(fromSession).toEqual(stated);
  });

  it("keeps at most 2 tracks per artist in the top 10, even with few prolific artists", () => {
    const crowded = generateTracks(300, 21, { artists: 15 });
    const ranked = rankRecommendations({
      ...input({ n: 30 }),
      candidates: modelCandidates(crowded, 3),
      tracks: byId(crowded),
    });
    const counts = new Map<string, number>();
    for (const r of ranked.slice(0, 10)) {
      const artist = byId(crowded).get(r.trackId)!.artistId;
      counts.set(artist, (counts.get(artist) ?? 0) + 1);
    }
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
  });

  describe("exploration", () => {
    // The listener's candidates are all rock and pop; the pool spans every genre.
    const home = generateTracks(300, 31, { genres: ["rock", "pop"] });
    const pool = generateTracks(200, 32, { prefix: "p" });
    const heard = new Set(pool.slice(0, 100).map((t) => t.id));
    const base = {
      candidates: modelCandidates(home, 33),
      tracks: byId(home),
      explorationPool: pool,
      heardTrackIds: heard,
      now: NOW,
      seed: 7,
    };

    it("fills 1 slot in 10 with a marked, unheard track from outside the neighbourhood", () => {
      const ranked = rankRecommendations({ ...base, n: 10 });
      const explored = ranked.filter((r) => r.exploration);
      expect(ranked).toHaveLength(10);
      expect(explored).toHaveLength(1);
      const track = byId(pool).get(explored[0]!.trackId)!;
      expect(heard.has(track.id)).toBe(false);
      expect(["new_for_you", "new_release"]).toContain(explored[0]!.reason.code);
      const others = ranked.filter((r) => !r.exploration).map((r) => byId(home).get(r.trackId)!);
      expect(others.some((t) => t.artistId === track.artistId)).toBe(false);
      for (const t of others) {
        expect(trackSimilarity(trackVector(t), trackVector(track))).toBeLessThanOrEqual(
          DEFAULT_RANKING_CONFIG.explorationMaxSimilarity,
        );
      }
    });

    it("scales with n and the configured share, and can be turned off", () => {
      expect(rankRecommendations({ ...base, n: 30 }).filter((r) => r.exploration)).toHaveLength(3);
      expect(
        rankRecommendations({ ...base, n: 10 }, { explorationShare: 0.3 }).filter((r) => r.exploration),
      ).toHaveLength(3);
      expect(
        rankRecommendations({ ...base, n: 10 }, { explorationShare: 0 }).filter((r) => r.exploration),
      ).toHaveLength(0);
    });

    it("changes with the seed and repeats for the same seed", () => {
      const picks = (seed: number) =>
        rankRecommendations({ ...base, n: 30, seed })
          .filter((r) => r.exploration)
          .map((r) => r.trackId);
      expect(picks(7)).toEqual(picks(7));
      expect(picks(7)).not.toEqual(picks(8));
    });

    it("says a new release is one", () => {
      const fresh = makeTrack("fresh", {
        genre: "ambient",
        artistId: "newcomer",
        releaseDate: "2025-05-20",
        features: { energy: 0.05, tempo: 60, acousticness: 1, instrumentalness: 1, valence: 0.1 },
      });
      const ranked = rankRecommendations({ ...base, n: 10, explorationPool: [fresh] });
      expect(ranked.find((r) => r.exploration)).toMatchObject({ trackId: "fresh", reason: { code: "new_release" } });
    });
  });

  it("says chart candidates are popular in the region", () => {
    const chart = catalog.slice(0, 5).map((t, i) => ({ trackId: t.id, score: 100 - i, source: "chart" as const }));
    const ranked = rankRecommendations(input({ candidates: chart, region: "Portugal" }));
    expect(ranked.map((r) => r.reason.text)).toContain("Popular in Portugal");
  });
});
