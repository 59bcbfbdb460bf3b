import { describe, expect, it } from "vitest";
import { applyEvent, createSession } from "../session/state";
import { activityPool, rankRecommendations } from "./index";
import { byId, generateTracks, modelCandidates, NOW } from "./test-fixtures";
import type { RankingInput } from "./types";

// A typical edge request: 300 model candidates, a busy session, a model neighbour lookup and an
// exploration pool. Timing is printed, not asserted, so slow CI machines cannot fail the build.
describe("rankRecommendations cost", () => {
  const catalog = generateTracks(400, 51);
  const candidates = modelCandidates(catalog.slice(0, 300), 52).map((c, i) => ({
    ...c,
    because: i % 3 ? catalog[350 + (i % 50)]!.id : undefined,
  }));
  const session = catalog.slice(300, 350).reduce((state, track, i) => {
    const timestamp = NOW - (50 - i) * 60_000;
    const type = i % 4 === 0 ? "skip" : i % 4 === 1 ? "complete" : i % 4 === 2 ? "like" : "repeat";
    return applyEvent(
      state,
      { id: `e${i}`, trackId: track.id, artistId: track.artistId, type, positionMs: 10_000, timestamp },
      timestamp,
    );
  }, createSession());
  const neighbourLists = new Map(
    catalog.map((t, i) => [
      t.id,
      Array.from({ length: 20 }, (_, k) => ({ trackId: catalog[(i * 7 + k) % 300]!.id, score: 1 - k / 20 })),
    ]),
  );
  const input: RankingInput = {
    candidates,
    tracks: byId(catalog),
    session,
    explorationPool: generateTracks(100, 53, { prefix: "p" }),
    heardTrackIds: new Set(catalog.map((t) => t.id)),
    neighbours: (id) => neighbourLists.get(id) ?? [],
    context: { activity: "commute", device: "car" },
    now: NOW,
    seed: 1,
    n: 20,
  };

  // A stated activity also searches the catalog's tracks for it: the edge's browse set, up to 8,000.
  const browse = generateTracks(4_000, 54, { prefix: "w" });
  const workoutPool = activityPool(browse, "workout");
  const workout: RankingInput = {
    ...input,
    tracks: byId([...catalog, ...browse]),
    context: { activity: "workout", device: "phone" },
    activityPool: () => workoutPool,
  };

  it.each([
    [20, "commute", input],
    [50, "commute", input],
    [20, "workout, a 4,000-track catalog searched", workout],
  ] as const)(
    "ranks 300 candidates per request, n=%i, %s",
    (n, label, base) => {
      const request = { ...base, n };
      for (let i = 0; i < 50; i++) rankRecommendations(request);
      const runs = 300;
      const start = performance.now();
      let ranked = rankRecommendations(request);
      for (let i = 1; i < runs; i++) ranked = rankRecommendations(request);
      const perRequestMs = (performance.now() - start) / runs;
      console.log(
        `rankRecommendations: ${perRequestMs.toFixed(3)} ms per request (300 candidates, 100-track pool, n=${n}, ${label})`,
      );
      expect(ranked).toHaveLength(n);
      expect(ranked.filter((r) => r.exploration)).toHaveLength(n / 10);
      // A loaded machine may take far longer than the default timeout; this test judges no time.
    },
    120_000,
  );
});
