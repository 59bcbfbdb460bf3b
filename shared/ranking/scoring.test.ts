import { describe, expect, it } from "vitest";
import { resolveContext } from "../context/resolve";
import { DEFAULT_RANKING_CONFIG } from "./config";
import { prepareCandidates } from "./candidates";
import { applyContextFit, blendScores } from "./scoring";
import { byId, makeTrack, NOW } from "./test-fixtures";

const loud = makeTrack("loud", { features: { energy: 0.9, tempo: 150, danceability: 0.8 } });
const quiet = makeTrack("quiet", { features: { energy: 0.1, tempo: 70, acousticness: 0.9, instrumentalness: 0.8 } });
const items = prepareCandidates(
  [loud, quiet].map((t) => ({ trackId: t.id, score: 1, source: "model" as const })),
  byId([loud, quiet]),
  DEFAULT_RANKING_CONFIG.sourceWeights,
);

describe("applyContextFit", () => {
  it("scores each track against the resolved context", () => {
    const [l, q] = applyContextFit(items, resolveContext({ activity: "workout" }, NOW));
    expect(l!.fit).toBeGreaterThan(0.9);
    expect(q!.fit).toBeLessThan(0.3);
  });
});

describe("blendScores", () => {
  it("adds taste and context fit to the model score", () => {
    const [l, q] = blendScores(
      [
        { ...items[0]!, taste: 0.5, fit: 1 },
        { ...items[1]!, taste: -0.5, fit: 0 },
      ],
      1,
      { sessionWeight: 1, contextWeight: 1, popularityPenalty: 0 },
    );
    expect(l!.score).toBeCloseTo(1 + 0.5 + 1);
    expect(q!.score).toBeCloseTo(1 - 0.5);
  });

  it("scales context by its strength", () => {
    const [l] = blendScores([{ ...items[0]!, fit: 1 }], 0.5, {
      sessionWeight: 0,
      contextWeight: 1,
      popularityPenalty: 0,
    });
    expect(l!.score).toBeCloseTo(1.5);
  });

  it("divides relevance by popularity^alpha", () => {
    const config = { sessionWeight: 0, contextWeight: 0, popularityPenalty: 0.5 };
    const popular = { ...items[0]!, track: { ...loud, popularity: 1 } };
    const niche = { ...items[0]!, track: { ...loud, popularity: 0.04 } };
    const [p, n] = blendScores([popular, niche], 0, config);
    expect(Math.exp(n!.score) / Math.exp(p!.score)).toBeCloseTo(1 / Math.sqrt(0.04));
  });
});
