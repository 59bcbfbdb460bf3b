import { describe, expect, it } from "vitest";
import { seededRandom } from "../util/random";
import { DEFAULT_RANKING_CONFIG } from "./config";
import {
  explorationCandidates,
  explorationSeed,
  explorationSlots,
  interleave,
  sampleExploration,
  unlikeNeighbourhood,
} from "./exploration";
import { trackVector } from "./similarity";
import { makeTrack, NOW } from "./test-fixtures";

const none = { trackIds: new Set<string>(), artistIds: new Set<string>() };

describe("explorationSlots", () => {
  it("is 1 in 10 by default and never rounds a whole slot away", () => {
    expect(explorationSlots(10, 0.1)).toBe(1);
    expect(explorationSlots(5, 0.1)).toBe(0);
    expect(explorationSlots(100, 0.29)).toBe(29);
  });
});

describe("explorationCandidates", () => {
  const home = makeTrack("home", { genre: "rock", artistId: "h", features: { energy: 0.9, tempo: 150 } });
  const neighbourhood = { trackIds: new Set(["heard"]), artistIds: new Set(["h"]), vectors: [trackVector(home)] };

  const pool = [
    makeTrack("heard", { genre: "jazz", features: { energy: 0.1 } }),
    makeTrack("same-artist", { artistId: "h", genre: "jazz", features: { energy: 0.1 } }),
    makeTrack("lookalike", { genre: "rock", features: { energy: 0.88, tempo: 148 } }),
    makeTrack("disliked", { genre: "jazz", features: { energy: 0.1 } }),
    makeTrack("fresh", { genre: "jazz", features: { energy: 0.1, tempo: 70, acousticness: 0.9 } }),
    makeTrack("fresh", { genre: "jazz", features: { energy: 0.1, tempo: 70, acousticness: 0.9 } }),
  ];
  const exclusions = { trackIds: new Set(["disliked"]), artistIds: new Set<string>() };

  it("keeps only unheard, allowed tracks by new artists, once each", () => {
    const picked = explorationCandidates(pool, neighbourhood, exclusions);
    expect(picked.map((p) => p.track.id)).toEqual(["lookalike", "fresh"]);
    expect(picked[0]!.source).toBe("exploration");
  });

  it("draws only what is unlike the neighbourhood", () => {
    const candidates = explorationCandidates(pool, neighbourhood, exclusions);
    const unlike = unlikeNeighbourhood(neighbourhood, 0.3);
    expect(candidates.filter(unlike).map((p) => p.track.id)).toEqual(["fresh"]);
    for (let seed = 0; seed < 50; seed++) {
      const drawn = sampleExploration(candidates, 2, NOW, DEFAULT_RANKING_CONFIG, seededRandom(seed), unlike);
      expect(drawn.map((p) => p.track.id)).toEqual(["fresh"]);
    }
  });
});

describe("sampleExploration", () => {
  const pool = explorationCandidates(
    Array.from({ length: 20 }, (_, i) => makeTrack(`p${i}`, { releaseDate: i === 7 ? "2025-05-25" : "2018-01-01" })),
    { trackIds: new Set(), artistIds: new Set(), vectors: [] },
    none,
  );

  it("is deterministic for a seed and never repeats", () => {
    const a = sampleExploration(pool, 5, NOW, DEFAULT_RANKING_CONFIG, seededRandom(1)).map((p) => p.track.id);
    const b = sampleExploration(pool, 5, NOW, DEFAULT_RANKING_CONFIG, seededRandom(1)).map((p) => p.track.id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(5);
  });

  it("favours new releases", () => {
    let newPicks = 0;
    for (let seed = 0; seed < 400; seed++) {
      const [pick] = sampleExploration(pool, 1, NOW, { newReleaseDays: 30, newReleaseBoost: 5 }, seededRandom(seed));
      if (pick!.track.id === "p7") newPicks++;
    }
    // 5 / (19 + 5) of draws expected, against 1 / 20 without the boost
    expect(newPicks / 400).toBeGreaterThan(0.12);
  });

  it("draws among the accepted items with their own chances, as if the refused were never there", () => {
    const odd = (item: { track: { id: string } }) => Number(item.track.id.slice(1)) % 2 === 1;
    let newPicks = 0;
    const draws = 2000;
    for (let seed = 0; seed < draws; seed++) {
      const [pick] = sampleExploration(
        pool,
        1,
        NOW,
        { newReleaseDays: 30, newReleaseBoost: 5 },
        seededRandom(seed),
        odd,
      );
      expect(odd(pick!)).toBe(true);
      if (pick!.track.id === "p7") newPicks++;
    }
    // Ten odd ids, p7 boosted five-fold: 5 / (9 + 5) of draws; 4 standard errors either side.
    const expected = 5 / 14;
    const bound = 4 * Math.sqrt((expected * (1 - expected)) / draws);
    expect(Math.abs(newPicks / draws - expected)).toBeLessThan(bound);
  });

  it("returns what there is when the pool is short", () => {
    expect(sampleExploration(pool.slice(0, 2), 5, NOW, DEFAULT_RANKING_CONFIG, seededRandom(1))).toHaveLength(2);
  });
});

describe("interleave", () => {
  const ranked = Array.from({ length: 20 }, (_, i) => `r${i}`);

  it("puts one exploration item in each block, never first, keeping the ranked order", () => {
    for (let seed = 0; seed < 50; seed++) {
      const out = interleave(ranked, ["x0", "x1"], 20, seededRandom(seed));
      expect(out).toHaveLength(20);
      expect(out.slice(0, 10).filter((s) => s === "x0")).toHaveLength(1);
      expect(out.slice(10).filter((s) => s === "x1")).toHaveLength(1);
      expect(out[0]).toBe("r0");
      expect(out.filter((s) => s.startsWith("r"))).toEqual(ranked.slice(0, 18));
    }
  });

  it("fills with exploration when ranked items run out", () => {
    expect(interleave(["r0"], ["x0", "x1"], 10, seededRandom(3))).toHaveLength(3);
  });
});

describe("explorationSeed", () => {
  it("is stable within a UTC day and changes across days and listeners", () => {
    const day = 86_400_000;
    const start = Math.floor(NOW / day) * day;
    expect(explorationSeed("l1", start)).toBe(explorationSeed("l1", start + day - 1));
    expect(explorationSeed("l1", start)).not.toBe(explorationSeed("l1", start + day));
    expect(explorationSeed("l1", start)).not.toBe(explorationSeed("l2", start));
  });
});
