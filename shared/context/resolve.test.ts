import { describe, expect, it } from "vitest";
import { ACTIVITY_TARGETS, TIME_OF_DAY_TARGETS } from "./targets";
import { contextInputSchema, contextPhrase, resolveContext } from "./resolve";

const NOW = Date.UTC(2025, 5, 1, 12, 0);

describe("resolveContext", () => {
  it("uses a stated activity at full strength, ignoring the clock", () => {
    const ctx = resolveContext({ activity: "workout", localTime: 2 }, NOW);
    expect(ctx).toEqual({ label: "workout", source: "activity", strength: 1, targets: ACTIVITY_TARGETS.workout });
  });

  it("falls back to the time of day at reduced strength", () => {
    const ctx = resolveContext({ localTime: "2025-06-01T23:30:00-04:00" }, NOW);
    expect(ctx.label).toBe("night");
    expect(ctx.source).toBe("time");
    expect(ctx.strength).toBeLessThan(1);
    expect(ctx.targets).toEqual(TIME_OF_DAY_TARGETS.night);
  });

  it("has no opinion without activity or time", () => {
    expect(resolveContext(undefined, NOW)).toEqual({ label: null, source: "none", strength: 0, targets: {} });
  });

  it("lets the device adjust the targets", () => {
    const ctx = resolveContext({ activity: "party", device: "speaker" }, NOW);
    expect(ctx.targets.danceability?.min).toBeGreaterThan(ACTIVITY_TARGETS.party.danceability!.min);
  });
});

describe("contextPhrase", () => {
  it("reads naturally after 'Fits'", () => {
    expect(`Fits ${contextPhrase("workout")}`).toBe("Fits your workout");
  });
});

describe("contextInputSchema", () => {
  it("accepts known devices and activities and rejects others", () => {
    expect(contextInputSchema.safeParse({ device: "car", activity: "commute", localTime: 8 }).success).toBe(true);
    expect(contextInputSchema.safeParse({ activity: "juggling" }).success).toBe(false);
    expect(contextInputSchema.safeParse({ localTime: 25 }).success).toBe(false);
  });
});
