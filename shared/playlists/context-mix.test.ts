import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meanOutsideDefiningRanges } from "../context/fit";
import { ACTIVITY_TARGETS, type FeatureTargets } from "../context/targets";
import { activityPool } from "../ranking/context-retrieval";
import { byId, generateTracks } from "../ranking/test-fixtures";
import type { TrackInfo } from "../ranking/types";
import { generatePlaylist } from "./index";
import { historyEntry, playlistInput } from "./test-fixtures";
import type { GeneratedPlaylist, HistoryEntry, PlaylistInput } from "./types";

const catalog = generateTracks(3000, 11);
const tracks = byId(catalog);
const pools = new Map<string, ReturnType<typeof activityPool>>();
const poolOf: PlaylistInput["activityPool"] = (label) => {
  if (!pools.has(label)) pools.set(label, activityPool(catalog, label));
  return pools.get(label)!;
};

const played = (trackId: string, plays = 3): HistoryEntry => historyEntry(trackId, { plays, completes: plays });

function inputFor(history: readonly TrackInfo[], seed = 1, overrides: Partial<PlaylistInput> = {}): PlaylistInput {
  return playlistInput(catalog, {
    now: 0,
    seed,
    history: history.map((t) => played(t.id)),
    activityPool: poolOf,
    chart: catalog.slice(0, 100).map((t) => t.id),
    localHour: 23,
    ...overrides,
  });
}

/** The mix's mean is inside every range its context weighs fully (each track only close to them). */
const insideOnAverage = (mix: GeneratedPlaylist, targets: FeatureTargets) =>
  meanOutsideDefiningRanges(
    mix.tracks.map(({ trackId }) => tracks.get(trackId)!.features),
    targets,
  ) === null;

describe("context mixes", () => {
  it("a sleep mix lies inside the sleep ranges on average, whatever the listener played", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: catalog.length - 1 }), { minLength: 1, maxLength: 40 }),
        fc.integer(),
        (picks, seed) => {
          const mix = generatePlaylist(
            "mix-sleep",
            inputFor(
              picks.map((i) => catalog[i]!),
              seed,
            ),
          )!;
          expect(mix.tracks.length).toBeGreaterThan(0);
          expect(insideOnAverage(mix, ACTIVITY_TARGETS.sleep)).toBe(true);
          const perArtist = new Map<string, number>();
          for (const { trackId } of mix.tracks) {
            const artist = tracks.get(trackId)!.artistId;
            perArtist.set(artist, (perArtist.get(artist) ?? 0) + 1);
          }
          expect(Math.max(...perArtist.values())).toBeLessThanOrEqual(2);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("listeners of different taste get different sleep mixes, the same listener the same one for a seed", () => {
    const loudBright = catalog.filter((t) => t.features.energy > 0.8 && t.features.valence > 0.8).slice(0, 20);
    const loudDark = catalog.filter((t) => t.features.energy > 0.8 && t.features.valence < 0.2).slice(0, 20);
    const ids = (h: TrackInfo[]) => generatePlaylist("mix-sleep", inputFor(h))!.tracks.map((t) => t.trackId);
    const [bright, dark] = [ids(loudBright), ids(loudDark)];
    const shared = bright.filter((id) => dark.includes(id)).length;
    expect(shared / bright.length).toBeLessThanOrEqual(0.2);
    expect(ids(loudBright)).toEqual(bright);
    const valence = (list: string[]) => list.reduce((s, id) => s + tracks.get(id)!.features.valence, 0) / list.length;
    expect(valence(bright)).toBeGreaterThan(valence(dark));
  });

  it("a workout mix without consent is the context's popular tracks, and says so", () => {
    const mix = generatePlaylist("mix-workout", inputFor([], 1, { personalized: false }))!;
    expect(mix.description).toMatch(/not personalised/);
    expect(mix.tracks.every((t) => t.reason.code === "popular_in_region")).toBe(true);
    expect(insideOnAverage(mix, ACTIVITY_TARGETS.workout)).toBe(true);
  });
});

describe("daylist", () => {
  it("is named after the day and the part of it, and follows the hour", () => {
    const history = catalog.slice(0, 30);
    const night = generatePlaylist("daylist", inputFor(history, 1, { localHour: 23, localWeekday: 2 }))!;
    const morning = generatePlaylist("daylist", inputFor(history, 1, { localHour: 8, localWeekday: 2 }))!;
    expect(night.title).toMatch(/^Tuesday late night: /);
    expect(morning.title).toMatch(/^Tuesday morning: /);
    expect(night.tracks).not.toEqual(morning.tracks);
  });
});
