import { describe, expect, it } from "vitest";
import { recommendationId } from "./attribution";
import { playsListEnd } from "./lists";

const id = (surface: "discover-weekly" | "own-playlist" | "radio") =>
  recommendationId({ surface, modelVersion: "v1", variant: "e1/b", servedAt: 1 }, "n");
const lastOf = (listId: string) => ({ "discover-weekly": "t9", "pl-1": "t5" })[listId];

describe("the end of a served list", () => {
  it("is its last track, played with the list's recommendation id", () => {
    const at = (trackId: string, context: Parameters<typeof playsListEnd>[0]["context"]) =>
      playsListEnd({ trackId, context }, lastOf);
    expect(at("t9", { playlistId: "discover-weekly", recommendationId: id("discover-weekly") })).toBe(true);
    expect(at("t5", { playlistId: "pl-1", recommendationId: id("own-playlist") })).toBe(true);
    expect(at("t8", { playlistId: "discover-weekly", recommendationId: id("discover-weekly") })).toBe(false);
    // Not served as a list (a station, no id), or a list the session object does not know.
    expect(at("t9", { playlistId: "discover-weekly", recommendationId: id("radio") })).toBe(false);
    expect(at("t9", { playlistId: "discover-weekly" })).toBe(false);
    expect(at("t9", { playlistId: "release-radar", recommendationId: id("discover-weekly") })).toBe(false);
    expect(at("t9", null)).toBe(false);
  });
});
