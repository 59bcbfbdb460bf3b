import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEdit, createPlaylist, OWN_PLAYLIST_ID, OWN_PLAYLIST_LIMITS, type OwnPlaylist } from "./own";
import { isPlaylistKind, PLAYLIST_KINDS } from "./kinds";

const NOW = Date.UTC(2026, 11, 1);
const playlist = (trackIds: string[]): OwnPlaylist => ({
  id: "pl-0123456789abcdef0123",
  name: "Mine",
  description: "",
  trackIds,
  createdAt: NOW - 1000,
  updatedAt: NOW - 1000,
});
const tracksAfter = (trackIds: string[], edit: Parameters<typeof applyEdit>[1]) => {
  const result = applyEdit(playlist(trackIds), edit, NOW);
  if (!result.ok) throw new Error(result.refusal.detail);
  return result.playlist.trackIds;
};
const ABCDE = ["a", "b", "c", "d", "e"];

describe("own playlists", () => {
  it("makes ids no generated kind can be", () => {
    const { playlist } = createPlaylist({ name: "x", description: "", trackIds: [] }, 0, NOW) as {
      playlist: OwnPlaylist;
    };
    expect(playlist.id).toMatch(OWN_PLAYLIST_ID);
    expect(PLAYLIST_KINDS.some((kind) => OWN_PLAYLIST_ID.test(kind))).toBe(false);
    expect(isPlaylistKind(playlist.id)).toBe(false);
  });

  it("refuses a playlist beyond the listener's limit", () => {
    const result = createPlaylist(
      { name: "x", description: "", trackIds: [] },
      OWN_PLAYLIST_LIMITS.playlistsPerListener,
      NOW,
    );
    expect(result).toMatchObject({ ok: false, refusal: { status: 409 } });
  });

  it("adds at a 1-based position, or at the end", () => {
    expect(tracksAfter(ABCDE, { op: "add", trackIds: ["x", "y"], position: 1 })).toEqual(["x", "y", ...ABCDE]);
    expect(tracksAfter(ABCDE, { op: "add", trackIds: ["x"], position: 3 })).toEqual(["a", "b", "x", "c", "d", "e"]);
    expect(tracksAfter(ABCDE, { op: "add", trackIds: ["x"] })).toEqual([...ABCDE, "x"]);
    expect(tracksAfter(ABCDE, { op: "add", trackIds: ["x"], position: 6 })).toEqual([...ABCDE, "x"]);
    expect(applyEdit(playlist(ABCDE), { op: "add", trackIds: ["x"], position: 7 }, NOW)).toMatchObject({
      ok: false,
      refusal: { status: 422, errors: [{ path: "position" }] },
    });
  });

  it("refuses to grow a playlist past its limit", () => {
    const full = Array.from({ length: OWN_PLAYLIST_LIMITS.tracksPerPlaylist }, (_, i) => `t${i}`);
    expect(applyEdit(playlist(full), { op: "add", trackIds: ["x"] }, NOW)).toMatchObject({
      ok: false,
      refusal: { errors: [{ path: "trackIds" }] },
    });
  });

  it("removes by position or every occurrence of an id", () => {
    expect(tracksAfter(ABCDE, { op: "remove", positions: [1, 3] })).toEqual(["b", "d", "e"]);
    expect(tracksAfter(["a", "b", "a"], { op: "remove", trackIds: ["a"] })).toEqual(["b"]);
    expect(applyEdit(playlist(ABCDE), { op: "remove", positions: [2, 6] }, NOW)).toMatchObject({
      ok: false,
      refusal: { errors: [{ path: "positions.1" }] },
    });
    expect(applyEdit(playlist(ABCDE), { op: "remove", trackIds: ["a", "z"] }, NOW)).toMatchObject({
      ok: false,
      refusal: { errors: [{ path: "trackIds.1" }] },
    });
  });

  it("moves a range before a position, as Spotify's range_start and insert_before do", () => {
    expect(tracksAfter(ABCDE, { op: "reorder", rangeStart: 1, rangeLength: 1, insertBefore: 4 })).toEqual([
      "b",
      "c",
      "a",
      "d",
      "e",
    ]);
    expect(tracksAfter(ABCDE, { op: "reorder", rangeStart: 4, rangeLength: 2, insertBefore: 1 })).toEqual([
      "d",
      "e",
      "a",
      "b",
      "c",
    ]);
    expect(tracksAfter(ABCDE, { op: "reorder", rangeStart: 2, rangeLength: 2, insertBefore: 6 })).toEqual([
      "a",
      "d",
      "e",
      "b",
      "c",
    ]);
    expect(tracksAfter(ABCDE, { op: "reorder", rangeStart: 2, rangeLength: 2, insertBefore: 4 })).toEqual(ABCDE);
    expect(
      applyEdit(playlist(ABCDE), { op: "reorder", rangeStart: 5, rangeLength: 2, insertBefore: 1 }, NOW),
    ).toMatchObject({
      ok: false,
      refusal: { errors: [{ path: "rangeStart" }] },
    });
    expect(
      applyEdit(playlist(ABCDE), { op: "reorder", rangeStart: 1, rangeLength: 1, insertBefore: 7 }, NOW),
    ).toMatchObject({
      ok: false,
      refusal: { errors: [{ path: "insertBefore" }] },
    });
  });

  it("a move keeps every track and puts the range where asked", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            start: fc.integer({ min: 1, max: n }),
            length: fc.integer({ min: 1, max: n }),
            before: fc.integer({ min: 1, max: n + 1 }),
          }),
        ),
        ({ n, start, length, before }) => {
          fc.pre(start + length - 1 <= n);
          const ids = Array.from({ length: n }, (_, i) => `t${i}`);
          const after = tracksAfter(ids, {
            op: "reorder",
            rangeStart: start,
            rangeLength: length,
            insertBefore: before,
          });
          expect([...after].sort()).toEqual([...ids].sort());
          const range = ids.slice(start - 1, start - 1 + length);
          const at = after.indexOf(range[0]!);
          expect(after.slice(at, at + length)).toEqual(range);
          // The track that was at insertBefore follows the range (unless the range moved within itself).
          if (before <= n && (before < start || before > start + length))
            expect(after[at + length]).toBe(ids[before - 1]);
        },
      ),
    );
  });

  it("renames and describes, stamping the change", () => {
    const result = applyEdit(playlist(ABCDE), { op: "details", name: "New" }, NOW);
    expect(result).toMatchObject({
      ok: true,
      playlist: { name: "New", description: "", trackIds: ABCDE, updatedAt: NOW },
    });
  });
});
