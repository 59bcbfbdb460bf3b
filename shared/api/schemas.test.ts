import { describe, expect, it } from "vitest";
import { ContextQuery, Limit, TrackInput } from "./schemas";

describe("Limit", () => {
  const limit = Limit(20, 100);
  it("reads plain decimal digits and defaults when absent", () => {
    expect(limit.parse("16")).toBe(16);
    expect(limit.parse(undefined)).toBe(20);
  });
  it("refuses every other way of writing a number", () => {
    for (const text of [
      "0x10",
      "1e1",
      "+5",
      " 5",
      "5 ",
      "5.0",
      "1.5",
      "0b11",
      "0o7",
      "",
      "-1",
      "0",
      "101",
      "Infinity",
    ]) {
      expect(limit.safeParse(text).success, JSON.stringify(text)).toBe(false);
    }
  });
});

describe("ContextQuery", () => {
  const query = ContextQuery;
  it("takes a real date-time with offset and a zone the runtime knows", () => {
    expect(query.parse({ localTime: "2026-11-24T23:30:00+01:00", timeZone: "Europe/Stockholm" })).toMatchObject({
      localTime: "2026-11-24T23:30:00+01:00",
      timeZone: "Europe/Stockholm",
    });
  });
  it("names the field of an impossible date-time or an unknown zone", () => {
    for (const localTime of ["2026-13-40T99:99:99Z", "2026-02-30T10:00:00Z", "2026-11-24T23:30:00", "23:30"]) {
      const result = query.safeParse({ localTime });
      expect(result.success, localTime).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(["localTime"]);
    }
    for (const timeZone of ["Mars/Olympus", "Not_A_Zone", "x".repeat(200)]) {
      const result = query.safeParse({ timeZone });
      expect(result.success, timeZone).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(["timeZone"]);
    }
  });
});

describe("TrackInput", () => {
  it("stores a genre under its one spelling", () => {
    const track = {
      id: "t1",
      title: "One Love",
      artistId: "a1",
      artistName: "Bob Marley",
      albumId: "al1",
      albumTitle: "Exodus",
      genre: " Reggae ",
      releaseDate: "1977-06-03",
      features: {
        tempo: 76,
        energy: 0.5,
        valence: 0.8,
        danceability: 0.7,
        acousticness: 0.1,
        instrumentalness: 0,
        speechiness: 0.05,
        loudness: -8,
        key: 7,
        mode: 1,
        durationMs: 170_000,
      },
    };
    expect(TrackInput.parse(track).genre).toBe("reggae");
    expect(TrackInput.safeParse({ ...track, genre: "   " }).success).toBe(false);
  });
});
