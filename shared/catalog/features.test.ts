import { describe, expect, it } from "vitest";
import { contentTags, UNKNOWN_GENRE } from "./features";

describe("content tags", () => {
  it("name a track's genre and artist, but not an unknown genre", () => {
    expect(contentTags({ genre: "Jazz", artistId: "a1" })).toEqual(["genre:jazz", "artist:a1"]);
    expect(contentTags({ genre: UNKNOWN_GENRE, artistId: "a2" })).toEqual(["artist:a2"]);
  });
});
