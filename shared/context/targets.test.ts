import { describe, expect, it } from "vitest";
import { ACTIVITY_TARGETS, adjustForDevice, timeOfDay } from "./targets";

describe("timeOfDay", () => {
  it("splits the day at 5, 12, 18 and 22", () => {
    expect([4, 5, 11, 12, 17, 18, 21, 22, 0].map(timeOfDay)).toEqual([
      "night",
      "morning",
      "morning",
      "afternoon",
      "afternoon",
      "evening",
      "evening",
      "night",
      "night",
    ]);
  });
});

describe("adjustForDevice", () => {
  it("raises the danceability floor for a party on a speaker, but not past the ceiling", () => {
    const adjusted = adjustForDevice(ACTIVITY_TARGETS.party, "party", "speaker");
    expect(adjusted.danceability?.min).toBeCloseTo(0.8);
    expect(adjusted.energy?.min).toBeCloseTo(0.75);
    const full = adjustForDevice({ danceability: { min: 0.95, max: 1, weight: 1 } }, "party", "tv");
    expect(full.danceability?.min).toBe(1);
  });

  it("leaves targets alone for devices and contexts without a shift", () => {
    expect(adjustForDevice(ACTIVITY_TARGETS.party, "party", "phone")).toBe(ACTIVITY_TARGETS.party);
    expect(adjustForDevice(ACTIVITY_TARGETS.sleep, "sleep", "speaker")).toBe(ACTIVITY_TARGETS.sleep);
  });
});
