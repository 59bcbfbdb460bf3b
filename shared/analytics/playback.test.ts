import { describe, expect, it } from "vitest";
import { isCompletion, isEarlySkipped, isPlaybackStart, type PlaybackFacts } from "./playback";

const e = (type: PlaybackFacts["type"], trackId = "t1", positionMs: number | null = null): PlaybackFacts => ({
  type,
  trackId,
  positionMs,
  durationMs: 200_000,
});

describe("starts, early skips and completions", () => {
  it("a play starts a listen; its complete or skip continues it; a complete on its own is a listen", () => {
    expect(isPlaybackStart(undefined, e("play"))).toBe(true);
    expect(isPlaybackStart(e("play"), e("complete"))).toBe(false);
    expect(isPlaybackStart(e("play"), e("skip"))).toBe(false);
    expect(isPlaybackStart(e("play", "t2"), e("complete"))).toBe(true);
    expect(isPlaybackStart(e("complete"), e("complete"))).toBe(true);
    expect(isPlaybackStart(undefined, e("like"))).toBe(false);
  });

  it("an early skip is before 30 s (or a quarter of the track); a skip without a position is not early", () => {
    expect(isEarlySkipped(e("skip", "t1", 29_999))).toBe(true);
    expect(isEarlySkipped(e("skip", "t1", 45_000))).toBe(true); // under a quarter of 200 s
    expect(isEarlySkipped(e("skip", "t1", 50_000))).toBe(false);
    expect(isEarlySkipped(e("skip"))).toBe(false);
    expect(isEarlySkipped(e("play", "t1", 1_000))).toBe(false);
    expect(isCompletion(e("complete"))).toBe(true);
    expect(isCompletion(e("repeat"))).toBe(false);
  });
});
