import { describe, expect, it } from "vitest";
import { generateTracks } from "../ranking/test-fixtures";
import type { Candidate, TrackInfo } from "../ranking/types";
import { trackSimilarity, trackVector } from "../ranking/similarity";
import { neighbourSeeds, smartShuffle, type SmartShuffleInput } from "./smart-shuffle";

const catalog = generateTracks(400, 7);
const tracks = new Map(catalog.map((t) => [t.id, t]));
/** Neighbours by content, as the published lists would be for tracks nobody played. */
const neighbours = (id: string) => {
  const v = trackVector(tracks.get(id)!);
  return catalog
    .filter((t) => t.id !== id)
    .map((t) => ({ trackId: t.id, score: trackSimilarity(v, trackVector(t)) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 20);
};
const playlistIds = catalog
  .filter((t) => t.genre === "jazz")
  .slice(0, 12)
  .map((t) => t.id);
const input = (over: Partial<SmartShuffleInput> = {}): SmartShuffleInput => ({
  trackIds: playlistIds,
  tracks,
  neighbours,
  candidates: [],
  disliked: { trackIds: new Set(), artistIds: new Set() },
  seed: 42,
  ...over,
});

describe("smart shuffle", () => {
  it("plays every playlist track once, with a marked pick after every three", () => {
    const out = smartShuffle(input());
    const own = out.filter((t) => !t.recommended).map((t) => t.trackId);
    expect([...own].sort()).toEqual([...playlistIds].sort());
    expect(out).toHaveLength(16);
    out.forEach((t, i) => expect(t.recommended, `slot ${i + 1}`).toBe((i + 1) % 4 === 0));
    for (const pick of out.filter((t) => t.recommended)) {
      expect(playlistIds).not.toContain(pick.trackId);
      expect(pick.recommended && pick.reason.code).toBe("fits_playlist");
    }
    expect(new Set(out.map((t) => t.trackId)).size).toBe(16);
  });

  it("is the same for a seed and another for another seed", () => {
    expect(smartShuffle(input())).toEqual(smartShuffle(input()));
    expect(smartShuffle(input({ seed: 43 })).map((t) => t.trackId)).not.toEqual(
      smartShuffle(input()).map((t) => t.trackId),
    );
  });

  it("picks tracks that sound like the three before them, more than the catalog does", () => {
    const out = smartShuffle(input());
    const likeness = (a: TrackInfo, b: TrackInfo) => trackSimilarity(trackVector(a), trackVector(b));
    const picked: number[] = [];
    const random: number[] = [];
    out.forEach((t, i) => {
      if (!t.recommended) return;
      const group = out.slice(i - 3, i).map((g) => tracks.get(g.trackId)!);
      picked.push(Math.max(...group.map((g) => likeness(g, tracks.get(t.trackId)!))));
      random.push(...catalog.slice(0, 50).map((c) => Math.max(...group.map((g) => likeness(g, c)))));
    });
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(picked)).toBeGreaterThan(mean(random) + 0.2);
  });

  it("never picks a disliked track or a track of a disliked artist", () => {
    const first = smartShuffle(input())
      .filter((t) => t.recommended)
      .map((t) => t.trackId);
    const artist = tracks.get(first[1]!)!.artistId;
    const out = smartShuffle(input({ disliked: { trackIds: new Set([first[0]!]), artistIds: new Set([artist]) } }));
    for (const pick of out.filter((t) => t.recommended)) {
      expect(pick.trackId).not.toBe(first[0]);
      expect(tracks.get(pick.trackId)!.artistId).not.toBe(artist);
    }
  });

  it("leans towards the listener's own candidates when it has them", () => {
    const plain = smartShuffle(input())
      .filter((t) => t.recommended)
      .map((t) => t.trackId);
    // A candidate of the listener's that is a neighbour of the playlist but not picked without them.
    const pool = new Set(neighbourSeeds(playlistIds).flatMap((id) => neighbours(id).map((n) => n.trackId)));
    const favourite = [...pool].find((id) => !plain.includes(id) && !playlistIds.includes(id))!;
    const candidates: Candidate[] = [{ trackId: favourite, score: 1, source: "model" }];
    const personal = smartShuffle(input({ candidates }))
      .filter((t) => t.recommended)
      .map((t) => t.trackId);
    expect(personal).toContain(favourite);
  });

  it("plays on without picks when nothing fits", () => {
    const out = smartShuffle(input({ neighbours: () => [] }));
    expect(out.every((t) => !t.recommended)).toBe(true);
    expect(out).toHaveLength(12);
  });

  it("spreads neighbour seeds over a long playlist", () => {
    const ids = Array.from({ length: 100 }, (_, i) => `t${i}`);
    const seeds = neighbourSeeds(ids, 10);
    expect(seeds).toEqual(["t0", "t10", "t20", "t30", "t40", "t50", "t60", "t70", "t80", "t90"]);
  });
});
