import { describe, expect, it } from "vitest";
import type { SessionTaste } from "../session/read";
import { DEFAULT_RANKING_CONFIG } from "./config";
import { prepareCandidates } from "./candidates";
import { byId, makeTrack } from "./test-fixtures";
import { applySessionTaste, tasteSignals } from "./taste";
import type { TrackInfo } from "./types";

const skipped = makeTrack("A", {
  artistId: "X",
  genre: "rock",
  features: { energy: 0.9, tempo: 150, acousticness: 0.1 },
});
const sameArtist = makeTrack("x2", {
  artistId: "X",
  genre: "pop",
  features: { energy: 0.2, tempo: 80, acousticness: 0.9 },
});
const contentNeighbour = makeTrack("near", {
  artistId: "Y",
  genre: "rock",
  features: { energy: 0.88, tempo: 148, acousticness: 0.12 },
});
const modelNeighbour = makeTrack("mnb", { artistId: "W", genre: "jazz", features: { energy: 0.3, valence: 0.9 } });
const unrelated = makeTrack("far", {
  artistId: "Z",
  genre: "classical",
  features: { energy: 0.1, tempo: 60, acousticness: 1, instrumentalness: 0.9 },
});
const catalog: TrackInfo[] = [skipped, sameArtist, contentNeighbour, modelNeighbour, unrelated];
const tracks = byId(catalog);
const items = prepareCandidates(
  catalog.filter((t) => t !== skipped).map((t) => ({ trackId: t.id, score: 1, source: "model" as const })),
  tracks,
  DEFAULT_RANKING_CONFIG.sourceWeights,
);
const neighbours = (id: string) => (id === "A" ? [{ trackId: "mnb", score: 0.9 }] : []);

function tasteFor(taste: SessionTaste): Record<string, number> {
  const signals = tasteSignals(taste, tracks, neighbours, 20);
  return Object.fromEntries(
    applySessionTaste(items, taste, signals, DEFAULT_RANKING_CONFIG).map((i) => [i.track.id, i.taste]),
  );
}

describe("applySessionTaste", () => {
  it("changes nothing without session taste", () => {
    expect(Object.values(tasteFor({ tracks: new Map(), artists: new Map() }))).toEqual([0, 0, 0, 0]);
  });

  it("after an early skip lowers the artist's tracks and the skipped track's content and model neighbours", () => {
    const taste = tasteFor({ tracks: new Map([["A", -1]]), artists: new Map([["X", -0.6]]) });
    expect(taste.x2).toBeLessThan(-0.2);
    expect(taste.near).toBeLessThan(-0.3);
    expect(taste.mnb).toBeLessThan(-0.3);
    expect(taste.far).toBeCloseTo(0, 2);
  });

  it("after completions and repeats raises them, naming the track as the anchor", () => {
    const taste = { tracks: new Map([["A", 2.5]]), artists: new Map([["X", 1.25]]) };
    const scored = applySessionTaste(items, taste, tasteSignals(taste, tracks, neighbours, 20), DEFAULT_RANKING_CONFIG);
    const byTrack = Object.fromEntries(scored.map((i) => [i.track.id, i]));
    expect(byTrack.x2!.taste).toBeGreaterThan(0.5);
    expect(byTrack.near!.taste).toBeGreaterThan(0.5);
    expect(byTrack.mnb!.taste).toBeGreaterThan(0.5);
    expect(byTrack.near!.tasteAnchor).toBe("A");
    expect(byTrack.far!.tasteAnchor).toBeUndefined();
  });

  it("keeps only the strongest signals", () => {
    const taste = {
      tracks: new Map([
        ["a", 0.1],
        ["b", -2],
        ["c", 1],
      ]),
      artists: new Map(),
    };
    expect(tasteSignals(taste, tracks, undefined, 2).map((s) => s.trackId)).toEqual(["b", "c"]);
  });
});
