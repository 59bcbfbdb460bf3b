import { describe, expect, it } from "vitest";
import { DEFAULT_RANKING_CONFIG } from "./config";
import { prepareCandidates } from "./candidates";
import { diversify } from "./diversity";
import { byId, generateTracks, makeTrack, modelCandidates } from "./test-fixtures";
import type { TrackInfo } from "./types";

function scored(tracks: TrackInfo[], scores: number[]) {
  const items = prepareCandidates(
    tracks.map((t, i) => ({ trackId: t.id, score: scores[i]!, source: "model" as const })),
    byId(tracks),
    DEFAULT_RANKING_CONFIG.sourceWeights,
  );
  return items.map((item) => ({ ...item, score: item.model }));
}

const artistCounts = (ids: string[]) => ids.reduce((m, a) => m.set(a, (m.get(a) ?? 0) + 1), new Map<string, number>());

describe("diversify", () => {
  it("with lambda 1 and no cap keeps the score order", () => {
    const tracks = generateTracks(20, 3);
    const items = scored(
      tracks,
      tracks.map((_, i) => 20 - i),
    );
    const picked = diversify(items, 10, { diversityLambda: 1, maxPerArtist: 99, artistCapWindow: 10 });
    expect(picked.map((p) => p.track.id)).toEqual(tracks.slice(0, 10).map((t) => t.id));
  });

  it("caps an artist at 2 in the top 10 even when that artist has all the best scores", () => {
    const star = Array.from({ length: 8 }, (_, i) =>
      makeTrack(`s${i}`, { artistId: "star", features: { energy: i / 10 } }),
    );
    const others = generateTracks(30, 5);
    const items = scored([...star, ...others], [...star.map(() => 100), ...others.map((_, i) => i)]);
    const picked = diversify(items, 20, DEFAULT_RANKING_CONFIG);
    const top10 = picked.slice(0, 10).map((p) => p.track.artistId);
    expect(Math.max(...artistCounts(top10).values())).toBeLessThanOrEqual(2);
    expect(top10.filter((a) => a === "star")).toHaveLength(2);
    expect(picked).toHaveLength(20);
  });

  it("still fills the list when only capped artists remain", () => {
    const tracks = Array.from({ length: 5 }, (_, i) => makeTrack(`x${i}`, { artistId: "only" }));
    expect(diversify(scored(tracks, [5, 4, 3, 2, 1]), 5, DEFAULT_RANKING_CONFIG)).toHaveLength(5);
  });

  it("pushes near-duplicates down when lambda is lower", () => {
    const a = makeTrack("a", { artistId: "1", genre: "rock", features: { energy: 0.9 } });
    const twin = makeTrack("twin", { artistId: "2", genre: "rock", features: { energy: 0.9 } });
    const different = makeTrack("diff", {
      artistId: "3",
      genre: "jazz",
      features: { energy: 0.1, acousticness: 0.9, tempo: 70 },
    });
    const items = scored([a, twin, different], [1, 0.95, 0.9]);
    expect(diversify(items, 3, { ...DEFAULT_RANKING_CONFIG, diversityLambda: 1 }).map((p) => p.track.id)).toEqual([
      "a",
      "twin",
      "diff",
    ]);
    expect(diversify(items, 3, { ...DEFAULT_RANKING_CONFIG, diversityLambda: 0.5 }).map((p) => p.track.id)).toEqual([
      "a",
      "diff",
      "twin",
    ]);
  });

  it("never repeats an item", () => {
    const tracks = generateTracks(50, 9);
    const items = scored(
      tracks,
      modelCandidates(tracks, 2).map((c) => c.score),
    );
    const ids = diversify(items, 50, DEFAULT_RANKING_CONFIG).map((p) => p.track.id);
    expect(new Set(ids).size).toBe(50);
  });
});
