import { NEUTRAL_FEATURES } from "../catalog/features";
import { describe, expect, it } from "vitest";
import type { AudioFeatures } from "../catalog/types";
import { contextFit } from "./fit";
import { ACTIVITY_TARGETS } from "./targets";

const base: AudioFeatures = NEUTRAL_FEATURES;
const features = (overrides: Partial<AudioFeatures>): AudioFeatures => ({ ...base, ...overrides });

describe("contextFit", () => {
  it("is 1 inside every range and 0 far outside all of them", () => {
    const targets = { energy: { min: 0.7, max: 1, weight: 1 }, tempo: { min: 120, max: 180, weight: 1 } };
    expect(contextFit(features({ energy: 0.9, tempo: 150 }), targets)).toBe(1);
    expect(contextFit(features({ energy: 0.1, tempo: 60 }), targets)).toBe(0);
  });

  it("gives partial credit just outside a range, weighted by the range weight", () => {
    const targets = { energy: { min: 0.7, max: 1, weight: 3 }, tempo: { min: 120, max: 180, weight: 1 } };
    // energy 0.55 is half the tolerance outside; tempo fits
    expect(contextFit(features({ energy: 0.55, tempo: 130 }), targets)).toBeCloseTo((3 * 0.5 + 1) / 4);
  });

  it("is neutral without targets", () => {
    expect(contextFit(base, {})).toBe(0.5);
  });

  it("scores an energetic fast track above a quiet acoustic one for a workout, and the reverse for sleep", () => {
    const loud = features({ energy: 0.9, tempo: 150, danceability: 0.8, acousticness: 0.05 });
    const quiet = features({ energy: 0.15, tempo: 70, acousticness: 0.9, instrumentalness: 0.8 });
    expect(contextFit(loud, ACTIVITY_TARGETS.workout)).toBeGreaterThan(contextFit(quiet, ACTIVITY_TARGETS.workout));
    expect(contextFit(quiet, ACTIVITY_TARGETS.sleep)).toBeGreaterThan(contextFit(loud, ACTIVITY_TARGETS.sleep));
  });
});
