import { describe, expect, it } from "vitest";
import { localHour } from "./local-hour";

const NOON_UTC = Date.UTC(2025, 5, 1, 12, 0);

describe("localHour", () => {
  it("takes an explicit hour", () => {
    expect(localHour(7, undefined, NOON_UTC)).toBe(7);
    expect(localHour(24, undefined, NOON_UTC)).toBeUndefined();
  });

  it("reads the wall-clock hour written in an ISO string with offset", () => {
    expect(localHour("2025-06-01T23:15:00+09:00", "Europe/London", NOON_UTC)).toBe(23);
    expect(localHour("06:40", undefined, NOON_UTC)).toBe(6);
  });

  it("converts now into the time zone when no local time is given", () => {
    expect(localHour(undefined, "Asia/Tokyo", NOON_UTC)).toBe(21);
    expect(localHour(undefined, "America/New_York", NOON_UTC)).toBe(8);
  });

  it("is undefined for an unknown zone or nothing to go on", () => {
    expect(localHour(undefined, "Mars/Olympus", NOON_UTC)).toBeUndefined();
    expect(localHour(undefined, undefined, NOON_UTC)).toBeUndefined();
  });
});
