import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateTracks, makeTrack } from "../ranking/test-fixtures";
import { createSession } from "../session/state";
import { RELEASE_RADAR_DAYS, RELEASE_RADAR_LENGTH, releaseRadar } from "./release-radar";
import { historyEntry, playlistInput } from "./test-fixtures";

const NOW = Date.UTC(2026, 11, 4, 9);
const DAY_MS = 86_400_000;
const day = (daysAgo: number) => new Date(NOW - daysAgo * DAY_MS).toISOString().slice(0, 10);
// Old catalog tracks, and for every artist a couple of tracks released from 0 to 40 days ago.
const old = generateTracks(400, 3, { artists: 80 });
const fresh = old
  .filter((_, i) => i % 3 === 0)
  .map((t, i) => ({ ...t, id: `new-${t.id}`, releaseDate: day((i * 7) % 41), popularity: ((i * 13) % 10) / 10 }));
const catalog = [...old, ...fresh];
const index = fc.integer({ min: 0, max: catalog.length - 1 });
const artistOf = (i: number) => catalog[i]!.artistId;

const scenario = fc.record({
  history: fc.array(fc.record({ index, plays: fc.nat(5), likes: fc.nat(1), skips: fc.nat(4) }), { maxLength: 60 }),
  following: fc.array(index.map(artistOf), { maxLength: 8 }),
  dislikedArtists: fc.array(index.map(artistOf), { maxLength: 5 }),
  dislikedTracks: fc.array(index, { maxLength: 10 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function inputOf(s: Scenario) {
  return playlistInput(catalog, {
    now: NOW,
    history: s.history.map((h) =>
      historyEntry(catalog[h.index]!.id, { plays: h.plays, likes: h.likes, skips: h.skips }),
    ),
    following: new Set(s.following),
    session: {
      ...createSession(),
      dislikes: { tracks: s.dislikedTracks.map((i) => catalog[i]!.id), artists: s.dislikedArtists },
    },
  });
}

describe("releaseRadar", () => {
  it("holds only releases of the last 14 days, one per artist, by followed or played artists unless marked as a stand-in, nothing disliked", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = inputOf(s);
        const list = releaseRadar(input);
        if (!list) return;
        const played = new Set(input.history.map((h) => input.tracks.get(h.trackId)!.artistId));
        const artists = list.tracks.map((t) => input.tracks.get(t.trackId)!.artistId);
        expect(list.tracks.length).toBeLessThanOrEqual(RELEASE_RADAR_LENGTH);
        expect(new Set(artists).size).toBe(artists.length);
        for (const entry of list.tracks) {
          const track = input.tracks.get(entry.trackId)!;
          const age = NOW - Date.parse(`${track.releaseDate}T00:00:00Z`);
          expect(age).toBeGreaterThanOrEqual(0);
          expect(age).toBeLessThanOrEqual(RELEASE_RADAR_DAYS * DAY_MS);
          expect(input.session.dislikes.artists).not.toContain(track.artistId);
          expect(input.session.dislikes.tracks).not.toContain(track.id);
          expect(entry.reason.code).toBe("new_release");
          if (entry.fallback) expect(entry.reason.text).toContain("whom you follow");
          else expect(input.following.has(track.artistId) || played.has(track.artistId)).toBe(true);
        }
      }),
    );
  });

  it("orders by affinity: a followed artist before one played a little, a much played one before one played once", () => {
    const a = makeTrack("a1", { artistId: "art-a", artistName: "A", releaseDate: day(2) });
    const b = makeTrack("b1", { artistId: "art-b", artistName: "B", releaseDate: day(3) });
    const c = makeTrack("c1", { artistId: "art-c", artistName: "C", releaseDate: day(1) });
    const played = ["b", "c"].map((x) => makeTrack(`${x}0`, { artistId: `art-${x}`, artistName: x.toUpperCase() }));
    const input = playlistInput([a, b, c, ...played], {
      now: NOW,
      following: new Set(["art-a"]),
      history: [historyEntry("b0", { plays: 10, likes: 1 }), historyEntry("c0", { plays: 1 })],
    });
    expect(releaseRadar(input)!.tracks.map((t) => t.trackId)).toEqual(["a1", "b1", "c1"]);
  });

  it("stands in for a followed artist with nothing new by the closest-sounding artist that has, and marks it", () => {
    const sound = { energy: 0.9, tempo: 170, acousticness: 0.05 };
    const quiet = makeTrack("q0", {
      artistId: "art-q",
      artistName: "Quiet",
      genre: "metal",
      features: sound,
      releaseDate: day(200),
    });
    const alike = makeTrack("m1", {
      artistId: "art-m",
      artistName: "Alike",
      genre: "metal",
      features: sound,
      releaseDate: day(4),
    });
    const unlike = makeTrack("j1", {
      artistId: "art-j",
      artistName: "Unlike",
      genre: "jazz",
      features: { energy: 0.1, tempo: 70, acousticness: 0.9 },
      releaseDate: day(4),
    });
    const list = releaseRadar(playlistInput([quiet, alike, unlike], { now: NOW, following: new Set(["art-q"]) }))!;
    expect(list.tracks).toEqual([
      {
        trackId: "m1",
        fallback: true,
        reason: { code: "new_release", text: "New release from Alike, close to Quiet, whom you follow" },
      },
    ]);
  });

  it("has no list for a listener who follows and plays nothing, and a non-personal one without consent", () => {
    expect(releaseRadar(playlistInput(catalog, { now: NOW }))).toBeNull();
    const list = releaseRadar(playlistInput(catalog, { now: NOW, personalized: false }))!;
    expect(list.description).toContain("Not personalised");
    expect(list.tracks.length).toBeGreaterThan(0);
  });
});
