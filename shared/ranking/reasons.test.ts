import { describe, expect, it } from "vitest";
import { resolveContext } from "../context/resolve";
import { DEFAULT_RANKING_CONFIG } from "./config";
import { chooseReason, type ReasonInputs } from "./reasons";
import { trackVector } from "./similarity";
import { byId, makeTrack, NOW } from "./test-fixtures";
import type { ScoredCandidate } from "./types";

const played = makeTrack("played", { title: "Blue Monday" });
const liked = makeTrack("liked", { title: "Heroes" });
const track = makeTrack("t", { artistName: "Nova", releaseDate: "2025-05-28" });
const item = (overrides: Partial<ScoredCandidate>): ScoredCandidate => ({
  track: makeTrack("t"),
  vector: trackVector(track),
  source: "model",
  because: undefined,
  model: 1,
  taste: 0,
  tasteAnchor: undefined,
  fit: 0.5,
  score: 1,
  ...overrides,
});
const inputs: ReasonInputs = {
  tracks: byId([played, liked, track]),
  liked: new Set(["liked"]),
  context: resolveContext({ activity: "workout" }, NOW),
  now: NOW,
};
const reason = (overrides: Partial<ScoredCandidate>, extra: Partial<ReasonInputs> = {}) =>
  chooseReason(item(overrides), { ...inputs, ...extra }, DEFAULT_RANKING_CONFIG);

describe("chooseReason", () => {
  it("explains exploration first, as a new release when it is one", () => {
    expect(reason({ source: "exploration", because: "played" })).toEqual({ code: "new_for_you", text: "New for you" });
    expect(reason({ source: "exploration", track })).toEqual({ code: "new_release", text: "New release from Nova" });
  });

  it("names the session track that raised the item, as liked when it was", () => {
    expect(reason({ tasteAnchor: "liked", because: "played" })).toEqual({
      code: "similar_to_liked",
      text: "Similar to Heroes, which you liked",
    });
    expect(reason({ tasteAnchor: "played" })).toEqual({
      code: "because_you_played",
      text: "Because you played Blue Monday",
    });
  });

  it("then the model's history track", () => {
    expect(reason({ because: "played", fit: 1 })).toEqual({
      code: "because_you_played",
      text: "Because you played Blue Monday",
    });
  });

  it("skips a because track without metadata", () => {
    expect(reason({ because: "unknown", fit: 1 }).code).toBe("fits_context");
  });

  it("then a strong context fit", () => {
    expect(reason({ fit: 0.9 })).toEqual({ code: "fits_context", text: "Fits your workout" });
    expect(reason({ fit: 0.9 }, { context: resolveContext(undefined, NOW) }).code).toBe("for_you");
  });

  it("then freshness, then chart popularity, else a generic reason", () => {
    expect(reason({ track }).code).toBe("new_release");
    expect(reason({ source: "chart" })).toEqual({ code: "popular_in_region", text: "Popular right now" });
    expect(reason({ source: "chart" }, { region: "Brazil" }).text).toBe("Popular in Brazil");
    expect(reason({})).toEqual({ code: "for_you", text: "Picked for you" });
  });
});
