import { describe, expect, it } from "vitest";
import { parseSpotifyFeatures, SpotifyFeaturesReader } from "./spotify";
import { syntheticSpotifyLines } from "./spotify-synthetic";

describe("synthetic Spotify CSV", () => {
  const text = [...syntheticSpotifyLines(3000, 7)].join("");

  it("parses whole into as many tracks as asked, every id distinct, nothing rejected", () => {
    const { rows, rejected } = parseSpotifyFeatures(text);
    expect(rejected).toEqual([]);
    expect(new Set(rows.map((r) => r.track.id)).size).toBe(3000);
    expect(rows[1]!.track.title).toBe("Track 1, take 2");
  });

  it("streams through the reader in chunks of any size to the same rows, a repeat in a later chunk rejected", () => {
    const whole = parseSpotifyFeatures(text).rows;
    const reader = new SpotifyFeaturesReader();
    const rows = [];
    const rejected = [];
    // Chunks of odd sizes cut records, quoted fields and CRLFs anywhere.
    for (let at = 0, size = 1; at < text.length; at += size, size = (size * 7 + 13) % 4093) {
      const part = reader.push(text.slice(at, at + size));
      rows.push(...part.rows);
      rejected.push(...part.rejected);
    }
    const repeat = text.split("\n")[1]!;
    for (const part of [reader.push(`${repeat}\n`), reader.end()]) {
      rows.push(...part.rows);
      rejected.push(...part.rejected);
    }
    expect(rows).toEqual(whole);
    expect(rejected).toEqual([{ line: 3002, reason: expect.stringMatching(/^duplicate track_id/) }]);
  });

  it("is the same file for the same seed", () => {
    expect([...syntheticSpotifyLines(50, 7)].join("")).toBe(text.split("\n").slice(0, 51).join("\n") + "\n");
  });
});
