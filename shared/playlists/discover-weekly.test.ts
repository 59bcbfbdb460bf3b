import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { trackSimilarity, trackVector } from "../ranking/similarity";
import { generateTracks } from "../ranking/test-fixtures";
import { createSession } from "../session/state";
import { discoverWeekly, DISCOVER_WEEKLY_LENGTH } from "./discover-weekly";
import { historyEntry, playlistInput } from "./test-fixtures";

const catalog = generateTracks(600, 7, { artists: 150 });
const index = fc.integer({ min: 0, max: catalog.length - 1 });
const NOW = Date.UTC(2026, 11, 2, 12);

const scenario = fc.record({
  candidates: fc.array(
    fc.record({
      index,
      score: fc.double({ min: 0, max: 10, noNaN: true }),
      because: fc.option(index, { nil: undefined }),
    }),
    { maxLength: 300 },
  ),
  history: fc.array(fc.record({ index, likes: fc.nat(2), dislikes: fc.nat(2), skips: fc.nat(3) }), { maxLength: 80 }),
  played: fc.array(index, { maxLength: 20 }),
  previous: fc.array(index, { maxLength: 30 }),
  dislikedTracks: fc.array(index, { maxLength: 20 }),
  dislikedArtists: fc.array(index, { maxLength: 10 }),
  neighbourSeed: fc.integer(),
  seed: fc.integer(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function inputOf(s: Scenario) {
  const id = (i: number) => catalog[i]!.id;
  const session = {
    ...createSession(),
    played: s.played.map(id),
    dislikes: { tracks: s.dislikedTracks.map(id), artists: s.dislikedArtists.map((i) => catalog[i]!.artistId) },
  };
  return playlistInput(catalog, {
    now: NOW,
    seed: s.seed,
    candidates: s.candidates.map((c) => ({
      trackId: id(c.index),
      score: c.score,
      source: "model" as const,
      ...(c.because !== undefined ? { because: id(c.because) } : {}),
    })),
    history: s.history.map((h) => historyEntry(id(h.index), { likes: h.likes, dislikes: h.dislikes, skips: h.skips })),
    session,
    previousTracks: s.previous.map(id),
    // Every history track has a few neighbours somewhere in the catalog.
    neighbours: (trackId) =>
      [1, 2, 3, 4, 5].map((k) => ({
        trackId: id(Math.abs(s.neighbourSeed * k + trackId.length * 31 + k) % catalog.length),
        score: 1 / k,
      })),
  });
}

describe("discoverWeekly", () => {
  it("never holds a heard or disliked track or artist, nor last week's, holds one track per artist, at most 30, each with a reason", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = inputOf(s);
        const list = discoverWeekly(input);
        if (!list) return;
        const heard = new Set([...input.history.map((h) => h.trackId), ...input.session.played]);
        const dislikedArtists = new Set(input.session.dislikes.artists);
        const artists = list.tracks.map((t) => input.tracks.get(t.trackId)!.artistId);
        expect(list.tracks.length).toBeLessThanOrEqual(DISCOVER_WEEKLY_LENGTH);
        expect(new Set(artists).size).toBe(artists.length);
        for (const { trackId, reason } of list.tracks) {
          expect(heard.has(trackId)).toBe(false);
          expect(input.previousTracks).not.toContain(trackId);
          expect(input.session.dislikes.tracks).not.toContain(trackId);
          expect(dislikedArtists.has(input.tracks.get(trackId)!.artistId)).toBe(false);
          expect(reason.text.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it("is the same list for the same input, and another for another week's seed", () => {
    const candidates = catalog
      .slice(0, 400)
      .map((t, i) => ({ trackId: t.id, score: 400 - i, source: "model" as const }));
    const input = playlistInput(catalog, { candidates, seed: 11 });
    const list = discoverWeekly(input)!;
    expect(discoverWeekly(input)).toEqual(list);
    const next = discoverWeekly({ ...input, seed: 12 })!;
    expect(next.tracks.map((t) => t.trackId)).not.toEqual(list.tracks.map((t) => t.trackId));
    expect(list.tracks).toHaveLength(DISCOVER_WEEKLY_LENGTH);
  });

  it("widens with the neighbours of history tracks when the model offers too few new artists, and says why", () => {
    const history = catalog.slice(0, 10).map((t) => historyEntry(t.id, { plays: 3 }));
    const neighbours = (trackId: string) => {
      const at = catalog.findIndex((t) => t.id === trackId);
      return catalog.slice(100 + at * 40, 140 + at * 40).map((t, k) => ({ trackId: t.id, score: 1 - k / 40 }));
    };
    const list = discoverWeekly(playlistInput(catalog, { history, neighbours }))!;
    expect(list.tracks).toHaveLength(DISCOVER_WEEKLY_LENGTH);
    const historyTitles = new Set(catalog.slice(0, 10).map((t) => t.title));
    for (const { reason } of list.tracks) {
      expect(reason.code).toBe("because_you_played");
      expect(historyTitles.has(reason.text.replace("Because you played ", ""))).toBe(true);
    }
    expect(list.seedArtists.length).toBeGreaterThan(0);
    expect(list.description).toContain("not played yet");
  });

  it("spreads over sounds: less alike within the list than the plain top 30 of the same artists", () => {
    const candidates = catalog.map((t, i) => ({ trackId: t.id, score: 1000 - i, source: "model" as const }));
    const input = playlistInput(catalog, { candidates });
    const list = discoverWeekly(input)!.tracks.map((t) => input.tracks.get(t.trackId)!);
    const seen = new Set<string>();
    const top = catalog.filter((t) => !seen.has(t.artistId) && seen.add(t.artistId)).slice(0, DISCOVER_WEEKLY_LENGTH);
    const meanSimilarity = (ts: typeof catalog) => {
      let sum = 0,
        n = 0;
      for (let i = 0; i < ts.length; i++)
        for (let j = i + 1; j < ts.length; j++)
          ((sum += trackSimilarity(trackVector(ts[i]!), trackVector(ts[j]!))), n++);
      return sum / n;
    };
    expect(meanSimilarity(list)).toBeLessThan(meanSimilarity(top));
  });

  it("without consent, makes a discovery list of the chart and new releases, and says it is not personal", () => {
    const fresh = generateTracks(40, 9, { prefix: "n", releaseDate: "2026-11-25" });
    const all = [...catalog, ...fresh];
    const input = playlistInput(all, { personalized: false, chart: catalog.slice(0, 50).map((t) => t.id) });
    const list = discoverWeekly(input)!;
    expect(list.description).toContain("Not personalised");
    const allowed = new Set([...input.chart, ...fresh.map((t) => t.id)]);
    for (const t of list.tracks) expect(allowed.has(t.trackId)).toBe(true);
    expect(list.tracks.some((t) => t.reason.code === "new_release")).toBe(true);
    expect(list.tracks.some((t) => t.reason.code === "popular_in_region")).toBe(true);
  });
});
