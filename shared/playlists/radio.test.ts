import { describe, expect, it } from "vitest";
import { byId, generateTracks, NOW } from "../ranking/test-fixtures";
import { trackSimilarity, trackVector } from "../ranking/similarity";
import type { TrackInfo } from "../ranking/types";
import { applyEvent, createSession, type SessionState } from "../session/state";
import {
  cursorOf,
  neighbourSeeds,
  newStationId,
  parseSeed,
  RadioCursor,
  StationId,
  seedText,
  seedTracks,
  stationPage,
  type StationPageInput,
} from "./radio";

const catalog = generateTracks(1200, 7, { artists: 150 });
const tracks = byId(catalog);
/** Content neighbours stand in for the model's: the 30 closest in sound. */
const neighbours = (id: string) => {
  const seed = tracks.get(id);
  if (!seed) return [];
  const v = trackVector(seed);
  return catalog
    .filter((t) => t.id !== id)
    .map((t) => ({ trackId: t.id, score: trackSimilarity(v, trackVector(t)) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 30);
};

function page(overrides: Partial<StationPageInput> = {}) {
  return stationPage({
    seeds: ["t1"],
    served: new Set(),
    tracks,
    neighbours,
    session: createSession(),
    now: NOW,
    seed: 1,
    n: 20,
    ...overrides,
  });
}

function earlySkips(ids: readonly string[]): SessionState {
  let state = createSession();
  ids.forEach((trackId, i) => {
    const t = NOW - (ids.length - i) * 60_000;
    const track = tracks.get(trackId)!;
    const base = { trackId, artistId: track.artistId, durationMs: track.features.durationMs };
    state = applyEvent(state, { id: `p${i}`, type: "play", timestamp: t, ...base }, t);
    state = applyEvent(state, { id: `s${i}`, type: "skip", positionMs: 8_000, timestamp: t + 8_000, ...base }, t);
  });
  return state;
}

const meanSimilarity = (ids: readonly string[], to: readonly TrackInfo[]) =>
  ids.reduce(
    (sum, id) => sum + Math.max(...to.map((t) => trackSimilarity(trackVector(t), trackVector(tracks.get(id)!)))),
    0,
  ) / ids.length;

describe("radio seeds", () => {
  it("reads each kind of seed, genres in their one spelling", () => {
    expect(parseSeed("track:trk-1")).toEqual({ kind: "track", id: "trk-1" });
    expect(parseSeed("artist:art-0002")).toEqual({ kind: "artist", id: "art-0002" });
    expect(parseSeed("genre:  Dream   Pop ")).toEqual({ kind: "genre", name: "dream pop" });
    expect(parseSeed("playlist:discover-weekly")).toEqual({ kind: "playlist", id: "discover-weekly" });
    expect(seedText(parseSeed("genre:R&B")!)).toBe("genre:r&b");
  });

  it("refuses what is not a seed", () => {
    for (const raw of [
      "",
      "trk-1",
      "song:trk-1",
      "track:",
      "track:a b",
      "artist:" + "x".repeat(65),
      "genre: ",
      "genre:" + "g".repeat(61),
    ]) {
      expect(parseSeed(raw), raw).toBeNull();
    }
  });

  it("names the seed's tracks, best-known first, and none for what the catalog lacks", () => {
    expect(seedTracks({ kind: "track", id: "t1" }, tracks)).toEqual(["t1"]);
    expect(seedTracks({ kind: "track", id: "nope" }, tracks)).toEqual([]);
    const artist = tracks.get("t1")!.artistId;
    const ofArtist = seedTracks({ kind: "artist", id: artist }, tracks);
    expect(ofArtist.length).toBeGreaterThan(0);
    expect(ofArtist.every((id) => tracks.get(id)!.artistId === artist)).toBe(true);
    const popularity = ofArtist.map((id) => tracks.get(id)!.popularity);
    expect(popularity).toEqual([...popularity].sort((a, b) => b - a));
    expect(seedTracks({ kind: "genre", name: "jazz" }, tracks)).toHaveLength(10);
    expect(seedTracks({ kind: "genre", name: "polka" }, tracks)).toEqual([]);
  });

  it("reads a cursor as its station and offset", () => {
    expect(RadioCursor.parse("st_0123456789abcdef.40")).toEqual({ stationId: "st_0123456789abcdef", offset: 40 });
    const id = newStationId();
    expect(StationId.parse(id)).toBe(id);
    expect(RadioCursor.parse(cursorOf(id, 20))).toEqual({ stationId: id, offset: 20 });
    for (const bad of ["st_0123.40", "st_0123456789abcdef", "st_0123456789abcdef.-1", "x.1"]) {
      expect(RadioCursor.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe("station pages", () => {
  it("never repeat a track over many pages, and sound like the seed", () => {
    const served = new Set<string>();
    for (let p = 0; p < 40; p++) {
      const next = page({ served: new Set(served), seed: p });
      expect(next).toHaveLength(20);
      for (const { trackId } of next) {
        expect(served.has(trackId), `page ${p}: ${trackId} again`).toBe(false);
        served.add(trackId);
      }
    }
    // The first pages are closer to the seed than the catalog is on average.
    const first = page();
    const seed = [tracks.get("t1")!];
    expect(
      meanSimilarity(
        first.map((t) => t.trackId),
        seed,
      ),
    ).toBeGreaterThan(
      meanSimilarity(
        catalog.slice(0, 200).map((t) => t.id),
        seed,
      ) + 0.2,
    );
    expect(first.every((t) => t.reason.code && t.reason.text)).toBe(true);
  });

  it("keeps a genre station in its genre", () => {
    const seeds = seedTracks({ kind: "genre", name: "jazz" }, tracks);
    const genres = page({ seeds }).map((t) => tracks.get(t.trackId)!.genre);
    expect(genres.filter((g) => g === "jazz").length).toBeGreaterThanOrEqual(15);
  });

  it("steers away from a sound skipped early twice", () => {
    // A genre station, two tracks of the first page skipped early: the next page, against the same
    // one without the skips, holds fewer tracks that sound like them.
    const seeds = seedTracks({ kind: "genre", name: "rock" }, tracks);
    const first = page({ seeds });
    const served = new Set(first.map((t) => t.trackId));
    const skipped = first.slice(1, 3).map((t) => tracks.get(t.trackId)!);
    const session = earlySkips(skipped.map((t) => t.id));
    expect(neighbourSeeds(seeds, session, NOW)).toEqual(expect.arrayContaining(skipped.map((t) => t.id)));

    const steady = page({ seeds, served }).map((t) => t.trackId);
    const steered = page({ seeds, served, session }).map((t) => t.trackId);
    const before = meanSimilarity(steady, skipped),
      after = meanSimilarity(steered, skipped);
    expect(after).toBeLessThan(before - 0.03);
    const skippedArtists = new Set(skipped.map((t) => t.artistId));
    const byArtist = (ids: string[]) => ids.filter((id) => skippedArtists.has(tracks.get(id)!.artistId)).length;
    expect(byArtist(steered)).toBeLessThanOrEqual(byArtist(steady));
  });

  it("grows towards what the listener completes", () => {
    const first = page();
    const liked = tracks.get(first[4]!.trackId)!;
    let session = createSession();
    for (const [i, type] of (["play", "complete", "repeat", "complete"] as const).entries()) {
      const t = NOW - (4 - i) * 60_000;
      const e = { id: `c${i}`, trackId: liked.id, artistId: liked.artistId, type, timestamp: t };
      session = applyEvent(session, e, t);
    }
    const served = new Set(first.map((t) => t.trackId));
    const steady = page({ served }).map((t) => t.trackId);
    const grown = page({ served, session }).map((t) => t.trackId);
    expect(meanSimilarity(grown, [liked])).toBeGreaterThan(meanSimilarity(steady, [liked]));
  });

  it("ends when the catalog has nothing left to serve", () => {
    expect(page({ served: new Set(catalog.map((t) => t.id)) })).toEqual([]);
  });
});
