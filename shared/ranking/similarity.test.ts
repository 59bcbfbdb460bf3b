import { describe, expect, it } from "vitest";
import { similarAbove, trackSimilarity, trackVector } from "./similarity";
import { generateTracks, makeTrack } from "./test-fixtures";

describe("trackSimilarity", () => {
  const a = trackVector(makeTrack("a", { genre: "rock", features: { energy: 0.8, tempo: 140 } }));

  it("is 1 for identical tracks", () => {
    expect(trackSimilarity(a, a)).toBeCloseTo(1);
  });

  it("ranks a close same-genre track above a distant one, and genre counts on its own", () => {
    const near = trackVector(makeTrack("n", { genre: "rock", features: { energy: 0.75, tempo: 135 } }));
    const farSameGenre = trackVector(
      makeTrack("f", { genre: "rock", features: { energy: 0.1, tempo: 60, acousticness: 1, valence: 0 } }),
    );
    const farOtherGenre = trackVector(
      makeTrack("o", { genre: "jazz", features: { energy: 0.1, tempo: 60, acousticness: 1, valence: 0 } }),
    );
    expect(trackSimilarity(a, near)).toBeGreaterThan(0.8);
    expect(trackSimilarity(a, farSameGenre)).toBeGreaterThan(trackSimilarity(a, farOtherGenre));
    expect(trackSimilarity(a, farOtherGenre)).toBeLessThan(0.05);
  });

  it("is symmetric", () => {
    const b = trackVector(makeTrack("b", { genre: "jazz", features: { valence: 0.2 } }));
    expect(trackSimilarity(a, b)).toBe(trackSimilarity(b, a));
  });
});

describe("similarAbove", () => {
  const tracks = generateTracks(60, 7, { genres: ["rock", "jazz"] }).map(trackVector);
  const pairs = tracks.flatMap((a, i) => tracks.slice(i).map((b) => [a, b] as const));
  const disagreements = (thresholdsOf: (similarity: number) => number[]) =>
    pairs.flatMap(([a, b]) => {
      const similarity = trackSimilarity(a, b);
      return thresholdsOf(similarity).filter((t) => similarAbove(t)(a, b) !== similarity > t);
    });

  it("answers trackSimilarity(a, b) > threshold for every pair and threshold", () => {
    expect(disagreements(() => [-0.1, 0, 0.05, 0.2, 0.35, 0.4, 0.6, 0.9, 1, 1.1])).toEqual([]);
  });

  it("agrees at a pair's own similarity and just around it", () => {
    expect(disagreements((s) => [s, s - 1e-12, s + 1e-12])).toEqual([]);
  });
});
