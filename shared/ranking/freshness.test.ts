import { describe, expect, it } from "vitest";
import { isNewRelease } from "./freshness";

const NOW = Date.UTC(2025, 5, 1, 12);

describe("isNewRelease", () => {
  it("is true within the window and false before it, after now or for bad dates", () => {
    expect(isNewRelease("2025-05-20", NOW, 30)).toBe(true);
    expect(isNewRelease("2025-04-01", NOW, 30)).toBe(false);
    expect(isNewRelease("2025-07-01", NOW, 30)).toBe(false);
    expect(isNewRelease("soon", NOW, 30)).toBe(false);
  });

  it("answers the same for a date asked again, and past the parsed dates' cap", () => {
    const day = 86_400_000;
    // More distinct dates than the cache holds, each asked twice; every answer is checked.
    // NOW is noon, so the date 30 days back is 30.5 days old: not new.
    const wrong: string[] = [];
    for (let i = 0; i < 70_000; i++) {
      const date = new Date(NOW - i * day).toISOString().slice(0, 10);
      for (const pass of [1, 2]) if (isNewRelease(date, NOW, 30) !== i < 30) wrong.push(`${date} (pass ${pass})`);
    }
    expect(wrong).toEqual([]);
    expect(isNewRelease("2025-05-20", NOW, 30)).toBe(true);
    // An unparseable date, held as such, stays not new when asked again.
    for (const _ of [1, 2]) expect(isNewRelease("soon", NOW, 30)).toBe(false);
  });
});
