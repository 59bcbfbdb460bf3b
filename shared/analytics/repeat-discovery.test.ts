import { describe, expect, it } from "vitest";
import { DAY_MS } from "./days";
import { discovery } from "./discovery";
import { isRepeatListen } from "./repeat";

describe("repeat listens and discoveries", () => {
  it("a repeat is the same track started again within 7 days", () => {
    expect(isRepeatListen(undefined, 0)).toBe(false);
    expect(isRepeatListen(0, 7 * DAY_MS)).toBe(true);
    expect(isRepeatListen(0, 7 * DAY_MS + 1)).toBe(false);
  });

  it("a discovery is a track, or an artist, the listener never played", () => {
    const known = { tracks: new Set(["t1"]), artists: new Set(["a1"]) };
    expect(discovery(known, "t1", "a1")).toEqual({ track: false, artist: false });
    expect(discovery(known, "t2", "a1")).toEqual({ track: true, artist: false });
    expect(discovery(known, "t3", "a2")).toEqual({ track: true, artist: true });
    expect(discovery(known, "t4", null)).toEqual({ track: true, artist: false });
  });
});
