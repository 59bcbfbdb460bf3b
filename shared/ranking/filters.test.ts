import { describe, expect, it } from "vitest";
import { removeExcluded } from "./filters";
import { makeTrack } from "./test-fixtures";

describe("removeExcluded", () => {
  it("removes played or disliked tracks and tracks by disliked artists", () => {
    const items = [
      makeTrack("played"),
      makeTrack("disliked"),
      makeTrack("by-disliked-artist", { artistId: "x" }),
      makeTrack("kept"),
    ].map((track) => ({ track }));
    const kept = removeExcluded(items, { trackIds: new Set(["played", "disliked"]), artistIds: new Set(["x"]) });
    expect(kept.map((i) => i.track.id)).toEqual(["kept"]);
  });
});
