import { describe, expect, it } from "vitest";
import { isEarlySkip, listeningEventSchema, tasteDelta, type ListeningEvent } from "./events";

const thresholds = { earlySkipMs: 30_000, earlySkipShare: 0.25 };
const skip = (positionMs?: number, durationMs?: number): ListeningEvent => ({
  id: "e",
  trackId: "t",
  type: "skip",
  timestamp: 0,
  positionMs,
  durationMs,
});

describe("isEarlySkip", () => {
  it("is early under 30 s or under a quarter of the track", () => {
    expect(isEarlySkip(skip(10_000), thresholds)).toBe(true);
    expect(isEarlySkip(skip(45_000, 240_000), thresholds)).toBe(true);
    expect(isEarlySkip(skip(90_000, 240_000), thresholds)).toBe(false);
    expect(isEarlySkip(skip(45_000), thresholds)).toBe(false);
  });

  it("treats a skip without position as late", () => {
    expect(isEarlySkip(skip(), thresholds)).toBe(false);
  });
});

describe("tasteDelta", () => {
  it("is negative for early skips, mildly negative for late ones, positive for completions", () => {
    expect(tasteDelta(skip(1_000), thresholds).track).toBeLessThan(tasteDelta(skip(200_000), thresholds).track);
    expect(tasteDelta(skip(200_000), thresholds).track).toBeLessThan(0);
    expect(tasteDelta({ ...skip(), type: "complete" }, thresholds).track).toBeGreaterThan(0);
  });

  it("lowers the artist on a track dislike", () => {
    expect(tasteDelta({ ...skip(), type: "dislike" }, thresholds).artist).toBeLessThan(0);
  });
});

describe("listeningEventSchema", () => {
  it("accepts a well-formed event and rejects unknown types", () => {
    const event = {
      id: "e1",
      trackId: "t1",
      type: "complete",
      timestamp: 1,
      device: "phone",
      context: { activity: "focus" },
    };
    expect(listeningEventSchema.parse(event)).toEqual(event);
    expect(listeningEventSchema.safeParse({ ...event, type: "teleport" }).success).toBe(false);
  });
});
