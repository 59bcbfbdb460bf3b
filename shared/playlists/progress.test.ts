import { describe, expect, it } from "vitest";
import { positionAfterPlay, positionIn, type ListProgress } from "./progress";

const list = { periodKey: "2026-11-30", trackIds: ["a", "b", "c", "d"] };
const at = (position: number, updatedAt = 100, periodKey = list.periodKey): ListProgress => ({
  listId: "discover-weekly",
  periodKey,
  position,
  updatedAt,
});

describe("list progress", () => {
  it("starts at the top, and again when the list is of a new period", () => {
    expect(positionIn(list, null)).toBe(0);
    expect(positionIn(list, at(3))).toBe(3);
    expect(positionIn(list, at(3, 100, "2026-11-23"))).toBe(0);
  });

  it("goes on after the track the listener played, even back in the list", () => {
    expect(positionAfterPlay(list, null, "b", 200)).toBe(2);
    expect(positionAfterPlay(list, at(3), "a", 200)).toBe(1);
    expect(positionAfterPlay(list, at(1), "d", 200)).toBe(4);
  });

  it("ignores tracks not in the list and reports older than the last move", () => {
    expect(positionAfterPlay(list, at(1), "z", 200)).toBeNull();
    expect(positionAfterPlay(list, at(3, 300), "a", 200)).toBeNull();
    // The last move was in last week's list: this week's play counts whenever it happened.
    expect(positionAfterPlay(list, at(3, 300, "2026-11-23"), "a", 200)).toBe(1);
  });
});
