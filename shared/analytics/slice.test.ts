import { describe, expect, it } from "vitest";
import { recommendationId } from "./attribution";
import { sliceOf } from "./slice";

describe("the slice an event is credited to", () => {
  it("is what its recommendation id says served it", () => {
    const id = recommendationId({ surface: "daylist", modelVersion: "v1", variant: "e/b", servedAt: 1 }, "n");
    expect(sliceOf({ recommendationId: id, source: "search" }, "car", "SE")).toEqual({
      surface: "daylist",
      device: "car",
      region: "SE",
      variant: "e/b",
      modelVersion: "v1",
    });
  });

  it("without one, the surface its context names, else unattributed; unknown device and region say so", () => {
    const surface = (context: Parameters<typeof sliceOf>[0]) => sliceOf(context, null, null).surface;
    expect(surface({ playlistId: "discover-weekly" })).toBe("discover-weekly");
    expect(surface({ playlistId: "pl-0123456789abcdef0123", source: "playlist" })).toBe("own-playlist");
    expect(surface({ source: "radio" })).toBe("radio");
    expect(surface({ source: "search" })).toBe("unattributed");
    expect(surface(null)).toBe("unattributed");
    expect(sliceOf(null, null, null)).toMatchObject({
      device: "unknown",
      region: "unknown",
      variant: "none",
      modelVersion: "none",
    });
  });
});
