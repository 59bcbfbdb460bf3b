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
});
