import { describe, expect, it, vi } from "vitest";
import type { AudioFeatures } from "../catalog/types";
import type { TrackInfo } from "../ranking/types";
import { makeTrack } from "../ranking/test-fixtures";
import { createSession } from "../session/state";
import { seededRandom } from "../util/random";
import { DAILY_MIX_RULES, dailyMix, mixTitle } from "./daily-mixes";
import { generatePlaylist } from "./index";
import { clusterByVariety } from "./taste-clusters";
import { playlistInput } from "./test-fixtures";
import type { GeneratedPlaylist, HistoryEntry, PlaylistInput } from "./types";

// Counted, to show that the six kinds of one request share one clustering.
vi.mock("./taste-clusters", async (importOriginal) => {
  const original = await importOriginal<typeof import("./taste-clusters")>();
  return { ...original, clusterByVariety: vi.fn(original.clusterByVariety) };
});

/** Genres with a sound of their own, as in any real catalog: the centre of their tracks' features. */
const SOUNDS: Record<string, Partial<AudioFeatures>> = {
  jazz: { energy: 0.35, acousticness: 0.7, instrumentalness: 0.5, tempo: 100, valence: 0.5, danceability: 0.4 },
  metal: { energy: 0.95, acousticness: 0.05, instrumentalness: 0.2, tempo: 170, valence: 0.3, danceability: 0.3 },
  pop: { energy: 0.7, acousticness: 0.15, instrumentalness: 0.0, tempo: 118, valence: 0.8, danceability: 0.8 },
  ambient: { energy: 0.1, acousticness: 0.8, instrumentalness: 0.9, tempo: 70, valence: 0.3, danceability: 0.15 },
};
const GENRES = Object.keys(SOUNDS);
const ARTISTS_PER_GENRE = 12;
const TRACKS_PER_ARTIST = 10;

/** Each artist's sound departs from its genre's, and each track a little from its artist's. */
function catalog(): Map<string, TrackInfo> {
  const random = seededRandom(11);
  const shift = (by: number) => (random() - 0.5) * by;
  const unit = (value: number) => Math.min(1, Math.max(0, value));
  const tracks = GENRES.flatMap((genre) =>
    Array.from({ length: ARTISTS_PER_GENRE }, (_, artist) => {
      const sound = SOUNDS[genre]!;
      const style = { energy: shift(0.4), valence: shift(0.4), acousticness: shift(0.4), tempo: shift(40) };
      return Array.from({ length: TRACKS_PER_ARTIST }, (_, t) =>
        makeTrack(`${genre}-${artist * TRACKS_PER_ARTIST + t}`, {
          genre,
          artistId: `${genre}-artist-${artist}`,
          artistName: `${genre[0]!.toUpperCase()}${genre.slice(1)} Artist ${artist}`,
          features: {
            ...sound,
            energy: unit(sound.energy! + style.energy + shift(0.2)),
            valence: unit(sound.valence! + style.valence + shift(0.2)),
            acousticness: unit(sound.acousticness! + style.acousticness + shift(0.2)),
            tempo: sound.tempo! + style.tempo + shift(20),
          },
        }),
      );
    }).flat(),
  );
  return new Map(tracks.map((t) => [t.id, t]));
}
const TRACKS = catalog();

/** A listener who played `count` tracks of each genre, liking some, with weights that vary. */
function history(counts: Partial<Record<string, number>>): HistoryEntry[] {
  return Object.entries(counts).flatMap(([genre, count]) =>
    Array.from({ length: count! }, (_, i) => ({
      trackId: `${genre}-${i * 2}`,
      lastTs: 0,
      plays: 1 + (i % 4),
      completes: 1 + (i % 4),
      skips: 0,
      likes: i % 5 === 0 ? 1 : 0,
      dislikes: 0,
      repeats: i % 3,
      adds: 0,
    })),
  );
}

function inputOf(entries: HistoryEntry[], overrides: Partial<PlaylistInput> = {}): PlaylistInput {
  return playlistInput([...TRACKS.values()], {
    now: Date.UTC(2026, 11, 1),
    seed: 42,
    history: entries,
    activityPool: () => {
      throw new Error("daily mixes do not use activity pools");
    },
    ...overrides,
  });
}

const mixesOf = (input: PlaylistInput) =>
  Array.from({ length: 6 }, (_, i) => generatePlaylist(`daily-mix-${i + 1}` as const, input)).filter(
    (m): m is GeneratedPlaylist => m !== null,
  );
const genreOf = (id: string) => TRACKS.get(id)!.genre;
const familiarShare = (mix: GeneratedPlaylist) =>
  mix.tracks.filter((t) => t.reason.code === "familiar").length / mix.tracks.length;

describe("daily mixes", () => {
  it("gives a one-genre listener one mix, and a varied one a mix per taste", () => {
    expect(mixesOf(inputOf(history({ jazz: 30 })))).toHaveLength(1);
    expect(generatePlaylist("daily-mix-2", inputOf(history({ jazz: 30 })))).toBeNull();
    expect(mixesOf(inputOf(history({ jazz: 20, metal: 20 })))).toHaveLength(2);
    expect(mixesOf(inputOf(history({ jazz: 20, metal: 20, pop: 20, ambient: 20 })))).toHaveLength(4);
  });

  it("makes mixes that differ: each of one genre, sharing no track", () => {
    const mixes = mixesOf(inputOf(history({ jazz: 25, metal: 20, pop: 15 })));
    const genres = mixes.map((m) => [...new Set(m.tracks.map((t) => genreOf(t.trackId)))]);
    expect(genres).toEqual([["jazz"], ["metal"], ["pop"]]);
    const all = mixes.flatMap((m) => m.tracks.map((t) => t.trackId));
    expect(new Set(all).size).toBe(all.length);
  });

  it("holds about 70% familiar favourites and 30% unheard tracks close to them, at most 50", () => {
    const entries = history({ jazz: 60, metal: 20 });
    const heard = new Set(entries.map((e) => e.trackId));
    for (const mix of mixesOf(inputOf(entries))) {
      expect(mix.tracks.length).toBeLessThanOrEqual(DAILY_MIX_RULES.maxTracks);
      expect(familiarShare(mix)).toBeGreaterThan(0.65);
      expect(familiarShare(mix)).toBeLessThan(0.75);
      for (const t of mix.tracks) expect(heard.has(t.trackId)).toBe(t.reason.code === "familiar");
      const fresh = mix.tracks.filter((t) => t.reason.code !== "familiar");
      expect(fresh.every((t) => /^(Because you played|Similar to) /.test(t.reason.text))).toBe(true);
      const perArtist = new Map<string, number>();
      for (const t of fresh)
        perArtist.set(TRACKS.get(t.trackId)!.artistId, (perArtist.get(TRACKS.get(t.trackId)!.artistId) ?? 0) + 1);
      expect(Math.max(...perArtist.values())).toBeLessThanOrEqual(DAILY_MIX_RULES.maxNewPerArtist);
    }
    // The big cluster has more favourites than fit: 35 of them, with 15 new tracks.
    expect(mixesOf(inputOf(entries))[0]!.tracks).toHaveLength(50);
  });

  it("names each mix by its genres and lead artists", () => {
    const [jazz, metal] = mixesOf(inputOf(history({ jazz: 25, metal: 20 })));
    expect(jazz!.title).toMatch(/^Daily Mix 1: jazz · Jazz Artist \d, Jazz Artist \d \.\.\.$/);
    expect(metal!.title).toMatch(/^Daily Mix 2: metal · Metal Artist \d, Metal Artist \d \.\.\.$/);
    expect(metal!.seedArtists.length).toBeGreaterThan(0);
    expect(metal!.seedArtists.every((a) => a.id.startsWith("metal-"))).toBe(true);
    expect(
      mixTitle(2, ["dream pop", "shoegaze"], [{ name: "Slowdive" }, { name: "Beach House" }, { name: "Low" }]),
    ).toBe("Daily Mix 2: dream pop, shoegaze · Slowdive, Beach House ...");
  });

  it("leaves out disliked tracks and artists", () => {
    const entries = history({ jazz: 25, metal: 20 });
    const before = mixesOf(inputOf(entries));
    const track = before[0]!.tracks[0]!.trackId;
    const artist = TRACKS.get(before[1]!.tracks[0]!.trackId)!.artistId;
    const session = { ...createSession(), dislikes: { tracks: [track], artists: [artist] } };
    const after = mixesOf(inputOf(entries, { session })).flatMap((m) => m.tracks.map((t) => t.trackId));
    expect(after).not.toContain(track);
    expect(after.map((id) => TRACKS.get(id)!.artistId)).not.toContain(artist);
    // A track disliked in the history (D1) is not a favourite either.
    const dislikedInHistory = entries.map((e, i) => (i === 0 ? { ...e, dislikes: 1 } : e));
    expect(mixesOf(inputOf(dislikedInHistory)).flatMap((m) => m.tracks.map((t) => t.trackId))).not.toContain(
      entries[0]!.trackId,
    );
  });

  it("is the same for the same input and draws anew for another day's seed, keeping its clusters", () => {
    const entries = history({ jazz: 60, metal: 20 });
    const today = mixesOf(inputOf(entries));
    expect(mixesOf(inputOf(entries))).toEqual(today);
    const tomorrow = mixesOf(inputOf(entries, { seed: 43 }));
    expect(tomorrow.map((m) => m.title)).toEqual(today.map((m) => m.title));
    expect(tomorrow[0]!.tracks.map((t) => t.trackId)).not.toEqual(today[0]!.tracks.map((t) => t.trackId));
  });

  it("prefers the model's candidates and the published neighbours among close tracks", () => {
    const entries = history({ jazz: 21 });
    const favoured = ["jazz-101", "jazz-103", "jazz-105", "jazz-107"];
    const appearances = new Map<string, number>();
    for (let seed = 1; seed <= 20; seed++) {
      const mix = dailyMix(1)(
        inputOf(entries, {
          seed,
          candidates: favoured.slice(0, 3).map((trackId) => ({ trackId, score: 1, source: "model" as const })),
          neighbours: (id) => (id === entries[0]!.trackId ? [{ trackId: favoured[3]!, score: 1 }] : []),
        }),
      )!;
      for (const t of mix.tracks)
        if (t.reason.code !== "familiar") appearances.set(t.trackId, (appearances.get(t.trackId) ?? 0) + 1);
    }
    const rate = (ids: string[]) => ids.reduce((sum, id) => sum + (appearances.get(id) ?? 0), 0) / ids.length / 20;
    const others = [...TRACKS.keys()].filter((id) => id.startsWith("jazz-") && !favoured.includes(id));
    const unheard = others.filter((id) => !entries.some((e) => e.trackId === id));
    console.log(
      `new-track rate over 20 days: favoured ${rate(favoured).toFixed(2)}, other unheard ${rate(unheard).toFixed(2)}`,
    );
    expect(rate(favoured)).toBeGreaterThan(0.3);
    expect(rate(favoured)).toBeGreaterThan(3 * rate(unheard));
  });

  it("without consent, makes non-personal genre mixes of the chart and says so", () => {
    const chart = [...TRACKS.keys()].filter((_, i) => i % 6 === 0).slice(0, 80);
    const mixes = mixesOf(inputOf([], { personalized: false, chart }));
    expect(mixes.length).toBeGreaterThan(1);
    for (const mix of mixes) {
      expect(mix.description).toMatch(/not made from your listening/);
      expect(mix.tracks.every((t) => t.reason.code === "popular_in_region" && chart.includes(t.trackId))).toBe(true);
      expect(new Set(mix.tracks.map((t) => genreOf(t.trackId))).size).toBe(1);
    }
  });

  it("clusters a history once for all six kinds, as the listing asks for them", () => {
    const entries = history({ jazz: 20, metal: 20, pop: 20 });
    vi.mocked(clusterByVariety).mockClear();
    // One input object per kind, as the edge makes them, sharing the request's history array.
    for (let n = 1; n <= 6; n++) generatePlaylist(`daily-mix-${n}` as const, inputOf(entries, { seed: n }));
    expect(vi.mocked(clusterByVariety)).toHaveBeenCalledTimes(1);
  });

  it("has no mix for a listener with almost no listening", () => {
    expect(mixesOf(inputOf(history({ jazz: DAILY_MIX_RULES.minFirstMix - 1 })))).toEqual([]);
    expect(mixesOf(inputOf([]))).toEqual([]);
  });
});
