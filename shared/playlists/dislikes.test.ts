import { describe, expect, it } from "vitest";
import { withoutDisliked } from "./dislikes";
import { dropsDislikesAtOnce, PLAYLIST_KINDS } from "./kinds";
import type { GeneratedPlaylist } from "./types";

const list: GeneratedPlaylist = {
  kind: "daily-mix-1",
  title: "Daily Mix 1: jazz · A, B",
  description: "",
  seedArtists: [
    { id: "a", name: "A" },
    { id: "b", name: "B" },
  ],
  tracks: ["a1", "a2", "b1", "c1"].map((trackId) => ({
    trackId,
    reason: { code: "familiar", text: "You played this" },
  })),
};
const artistOf = (id: string) => (id === "c1" ? null : id[0]!);

describe("withoutDisliked", () => {
  it("drops a disliked track, and every track of a disliked artist", () => {
    const after = withoutDisliked(list, { tracks: ["b1"], artists: ["a"] }, artistOf);
    expect(after.tracks.map((t) => t.trackId)).toEqual(["c1"]);
    expect(after.seedArtists).toEqual([{ id: "b", name: "B" }]);
  });

  it("answers the list itself when nothing in it is disliked", () => {
    expect(withoutDisliked(list, { tracks: [], artists: [] }, artistOf)).toBe(list);
    expect(withoutDisliked(list, { tracks: ["x"], artists: ["z"] }, artistOf)).toBe(list);
  });
});

describe("dropsDislikesAtOnce", () => {
  it("holds for every kind but Discover Weekly, which stays as it is for its week", () => {
    expect(PLAYLIST_KINDS.filter((k) => !dropsDislikesAtOnce(k))).toEqual(["discover-weekly"]);
  });
});
