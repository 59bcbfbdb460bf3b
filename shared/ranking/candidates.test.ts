import { describe, expect, it } from "vitest";
import { DEFAULT_RANKING_CONFIG } from "./config";
import { prepareCandidates } from "./candidates";
import { byId, makeTrack } from "./test-fixtures";

const tracks = byId(["a", "b", "c", "d"].map((id) => makeTrack(id)));
const weights = DEFAULT_RANKING_CONFIG.sourceWeights;

describe("prepareCandidates", () => {
  it("normalises each source to 0..1 times its weight", () => {
    const items = prepareCandidates(
      [
        { trackId: "a", score: 50, source: "model" },
        { trackId: "b", score: 10, source: "model" },
        { trackId: "c", score: 9_000, source: "chart" },
        { trackId: "d", score: 1_000, source: "chart" },
      ],
      tracks,
      weights,
    );
    expect(Object.fromEntries(items.map((i) => [i.track.id, i.model]))).toEqual({ a: 1, b: 0, c: weights.chart, d: 0 });
  });

  it("keeps a track's best offer and its because", () => {
    const items = prepareCandidates(
      [
        { trackId: "a", score: 1, source: "chart" },
        { trackId: "a", score: 3, source: "model", because: "x" },
        { trackId: "b", score: 1, source: "model" },
      ],
      tracks,
      weights,
    );
    expect(items).toHaveLength(2);
    expect(items.find((i) => i.track.id === "a")).toMatchObject({ source: "model", because: "x", model: 1 });
  });

  it("drops candidates without metadata or with a non-finite score", () => {
    const items = prepareCandidates(
      [
        { trackId: "zzz", score: 1, source: "model" },
        { trackId: "a", score: Number.NaN, source: "model" },
        { trackId: "b", score: 2, source: "model" },
      ],
      tracks,
      weights,
    );
    expect(items.map((i) => i.track.id)).toEqual(["b"]);
    expect(items[0]!.model).toBe(1); // a lone score is the top of its source
  });
});
