import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { artistIdFor, parseSpotifyFeatures, SPOTIFY_HEADER, UNKNOWN_RELEASE_DATE } from "./spotify";

const header = SPOTIFY_HEADER.join(",");
const row =
  'Country,A Thousand Horses,"My Time\'s Comin\', live",16zol4,45,0.00192,0.327,194107,0.835,0.00015,F#,0.167,-4.952,Minor,0.0609,171.795,4/4,0.385,"artist: a thousand horses, track: x"';

describe("parseSpotifyFeatures", () => {
  it("maps a row onto a Track", () => {
    const { rows, rejected } = parseSpotifyFeatures(`${header}\n${row}\n`);
    expect(rejected).toEqual([]);
    expect(rows[0]!.popularity).toBe(45);
    expect(rows[0]!.track).toMatchObject({
      id: "16zol4",
      title: "My Time's Comin', live",
      artistId: artistIdFor("A Thousand Horses"),
      genre: "country",
      releaseDate: UNKNOWN_RELEASE_DATE,
      features: { key: 6, mode: 0, tempo: 171.795, durationMs: 194107, loudness: -4.952 },
    });
  });

  it("gives each genre one spelling, whatever the file's case, spacing or apostrophes", () => {
    const genres = ["Reggae", "reggae", " REGGAE ", "Children’s Music", "Children's  Music"];
    const csv = genres.map((g, i) => row.replace("Country,", `"${g}",`).replace("16zol4", `t${i}`)).join("\n");
    expect(parseSpotifyFeatures(`${header}\n${csv}\n`).rows.map((r) => r.track.genre)).toEqual([
      "reggae",
      "reggae",
      "reggae",
      "children's music",
      "children's music",
    ]);
  });

  it("rejects bad values and repeated track ids with reasons", () => {
    const badKey = row.replace(",F#,", ",H,");
    const { rows, rejected } = parseSpotifyFeatures(
      `${header}\n${row}\n${row}\n${badKey.replace("16zol4", "other")}\n`,
    );
    expect(rows).toHaveLength(1);
    expect(rejected.map((r) => r.line)).toEqual([3, 4]);
    expect(rejected[0]!.reason).toMatch(/duplicate track_id/);
    expect(rejected[1]!.reason).toMatch(/key/);
  });

  it("derives artist ids deterministically, keeping names apart that slug alike", () => {
    expect(artistIdFor("Beyoncé")).toBe(artistIdFor(" beyoncé "));
    expect(artistIdFor("Beyoncé")).toMatch(/^artist-beyonce-[0-9a-f]{8}$/);
    expect(artistIdFor("AC/DC")).not.toBe(artistIdFor("AC DC"));
    expect(artistIdFor("宇多田ヒカル")).toMatch(/^artist-[0-9a-f]{8}$/);
  });

  const sample = resolve(
    import.meta.dirname,
    "../../../shared/data/spotify-features-sample/SpotifyFeatures_sample.csv",
  );
  it.skipIf(!existsSync(sample))("reads the 15,000-row sample (skipped when ../shared/data is absent)", () => {
    const { rows, rejected } = parseSpotifyFeatures(readFileSync(sample, "utf8"));
    expect(rows).toHaveLength(14652);
    expect(rejected.every((r) => r.reason.startsWith("duplicate track_id"))).toBe(true);
  });
});
