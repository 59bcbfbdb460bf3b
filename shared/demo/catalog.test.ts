import { describe, expect, it } from "vitest";
import { DEMO_REFERENCE_DATE, generateDemoCatalog } from "./catalog";
import { DEMO_GENRES } from "./genres";

const catalog = generateDemoCatalog();

const DAY_MS = 86_400_000;
const meanOf = (genre: string, feature: "energy" | "speechiness" | "acousticness" | "instrumentalness") => {
  const values = catalog.tracks.filter((track) => track.genre === genre).map((track) => track.features[feature]);
  return values.reduce((sum, value) => sum + value, 0) / values.length;
};

describe("generateDemoCatalog", () => {
  it("repeats for a seed and differs across seeds", () => {
    expect(generateDemoCatalog(1)).toEqual(catalog);
    const other = generateDemoCatalog(2);
    expect(other.artists.map((artist) => artist.name)).not.toEqual(catalog.artists.map((artist) => artist.name));
    expect(other.tracks.length).toBeGreaterThanOrEqual(5000);
  });

  it("has thousands of tracks by about 600 artists with 1-4 albums each", () => {
    expect(catalog.tracks.length).toBeGreaterThanOrEqual(5000);
    expect(catalog.tracks.length).toBeLessThan(8000);
    expect(catalog.artists).toHaveLength(600);
    const albumsByArtist = new Map<string, Set<string>>();
    for (const track of catalog.tracks) {
      const albums = albumsByArtist.get(track.artistId) ?? new Set();
      albumsByArtist.set(track.artistId, albums.add(track.albumId));
    }
    expect(albumsByArtist.size).toBe(600);
    const albumCounts = [...albumsByArtist.values()].map((albums) => albums.size);
    expect(Math.min(...albumCounts)).toBe(1);
    expect(Math.max(...albumCounts)).toBe(4);
  });

  it("uses unique zero-padded ids and unique artist names", () => {
    const trackIds = catalog.tracks.map((track) => track.id);
    expect(new Set(trackIds).size).toBe(trackIds.length);
    expect(trackIds.every((id) => /^trk-\d{5}$/.test(id))).toBe(true);
    expect(catalog.artists.every((artist) => /^art-\d{4}$/.test(artist.id))).toBe(true);
    expect(new Set(catalog.artists.map((artist) => artist.id)).size).toBe(600);
    expect(new Set(catalog.artists.map((artist) => artist.name)).size).toBe(600);
    expect(catalog.tracks.every((track) => /^alb-\d{5}$/.test(track.albumId))).toBe(true);
    const albumOwner = new Map<string, string>();
    for (const track of catalog.tracks) {
      expect(albumOwner.get(track.albumId) ?? track.artistId).toBe(track.artistId);
      albumOwner.set(track.albumId, track.artistId);
    }
  });

  it("names things in speakable words", () => {
    const speakable = /^[A-Z][A-Za-z0-9 .&'-]*$/;
    const unspeakable = catalog.tracks
      .flatMap((track) => [track.title, track.albumTitle, track.artistName])
      .filter((name) => !speakable.test(name));
    expect(unspeakable).toEqual([]);
  });

  it("keeps every audio feature in its valid range", () => {
    const unitFeatures = [
      "energy",
      "valence",
      "danceability",
      "acousticness",
      "instrumentalness",
      "speechiness",
    ] as const;
    const invalid = catalog.tracks.filter(
      ({ features }) =>
        !(
          unitFeatures.every((unit) => features[unit] >= 0 && features[unit] <= 1) &&
          features.tempo >= 50 &&
          features.tempo <= 200 &&
          features.loudness >= -35 &&
          features.loudness <= -2 &&
          Number.isInteger(features.key) &&
          features.key >= 0 &&
          features.key <= 11 &&
          (features.mode === 0 || features.mode === 1) &&
          features.durationMs >= 90_000 &&
          features.durationMs <= 540_000
        ),
    );
    expect(invalid).toEqual([]);
  });

  it("gives genres their characteristic sound", () => {
    expect(new Set(catalog.tracks.map((track) => track.genre))).toEqual(new Set(DEMO_GENRES));
    expect(meanOf("metal", "energy")).toBeGreaterThan(meanOf("ambient", "energy") + 0.5);
    expect(meanOf("electronic", "energy")).toBeGreaterThan(meanOf("classical", "energy") + 0.4);
    expect(meanOf("hip-hop", "speechiness")).toBeGreaterThan(meanOf("classical", "speechiness") + 0.15);
    expect(meanOf("classical", "acousticness")).toBeGreaterThan(meanOf("rock", "acousticness") + 0.5);
    expect(meanOf("ambient", "instrumentalness")).toBeGreaterThan(meanOf("pop", "instrumentalness") + 0.5);
  });

  it("keeps an artist's tracks closer to each other than to the genre at large", () => {
    const pop = catalog.tracks.filter((track) => track.genre === "pop");
    const spread = (values: number[]) => {
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    };
    const artistSpreads: number[] = [];
    for (const artistId of new Set(pop.map((track) => track.artistId))) {
      const valences = pop.filter((track) => track.artistId === artistId).map((track) => track.features.valence);
      if (valences.length >= 5) artistSpreads.push(spread(valences));
    }
    const meanArtistSpread = artistSpreads.reduce((sum, value) => sum + value, 0) / artistSpreads.length;
    expect(meanArtistSpread).toBeLessThan(spread(pop.map((track) => track.features.valence)));
  });

  it("spreads releases from 1970 to the reference date, recent years more often, with new releases", () => {
    const referenceMs = Date.parse(DEMO_REFERENCE_DATE);
    const releaseMs = catalog.tracks.map((track) => Date.parse(track.releaseDate));
    expect(Math.min(...releaseMs)).toBeGreaterThanOrEqual(Date.UTC(1970, 0, 1));
    expect(Math.max(...releaseMs)).toBeLessThanOrEqual(referenceMs);
    const releasedIn = (fromYear: number, toYear: number) =>
      releaseMs.filter((ms) => ms >= Date.UTC(fromYear, 0, 1) && ms < Date.UTC(toYear + 1, 0, 1)).length;
    expect(releasedIn(1970, 1979)).toBeGreaterThan(100);
    expect(releasedIn(2016, 2025)).toBeGreaterThan(3 * releasedIn(1970, 1979));
    const newReleases = releaseMs.filter((ms) => referenceMs - ms < 30 * DAY_MS).length;
    expect(newReleases).toBeGreaterThan(20);
    expect(generateDemoCatalog(1, "2025-06-01").tracks.every((track) => track.releaseDate <= "2025-06-01")).toBe(true);
  });
});
