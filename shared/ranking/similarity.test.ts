import { describe, expect, it } from "vitest";
import { trackSimilarity, trackVector } from "./similarity";
import { makeTrack } from "./test-fixtures";

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
