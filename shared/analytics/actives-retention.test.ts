import { describe, expect, it } from "vitest";
import { activeListeners, stickiness } from "./actives";
import { cohortRetention } from "./retention";

const rows = [
  { day: "2026-11-02", listenerId: "a" },
  { day: "2026-11-02", listenerId: "a" },
  { day: "2026-11-02", listenerId: "b" },
  { day: "2026-11-03", listenerId: "a" },
  { day: "2026-11-09", listenerId: "b" },
  { day: "2026-11-10", listenerId: "c" },
  { day: "2026-12-02", listenerId: "a" },
];

describe("actives", () => {
  it("DAU, WAU and MAU are distinct listeners in the 1, 7 or 30 days ending on a day", () => {
    expect(activeListeners(rows, "2026-11-02", 1)).toBe(2);
    expect(activeListeners(rows, "2026-11-08", 7)).toBe(2);
    expect(activeListeners(rows, "2026-11-09", 7)).toBe(2); // a (03) and b (09); 02 is out
    expect(activeListeners(rows, "2026-12-01", 30)).toBe(3);
    expect(activeListeners(rows, "2026-12-02", 30)).toBe(3);
    expect(stickiness(1, 4)).toBe(0.25);
    expect(stickiness(0, 0)).toBeNull();
  });
});

describe("cohort retention", () => {
  it("groups by first-seen week; Dk is the share active k days after their own first day, once it has come", () => {
    expect(cohortRetention(rows, "2026-11-10")).toEqual([
      // a: 02 -> 03 (D1), not on 09 (D7); b: 02 -> 09 (D7). c: first seen the week after, D1 not yet come.
      { week: "2026-11-02", listeners: 2, d1: 0.5, d7: 0.5, d30: null },
      { week: "2026-11-09", listeners: 1, d1: null, d7: null, d30: null },
    ]);
    expect(cohortRetention(rows, "2026-12-31")).toEqual([
      { week: "2026-11-02", listeners: 2, d1: 0.5, d7: 0.5, d30: 0.5 },
      { week: "2026-11-09", listeners: 1, d1: 0, d7: 0, d30: 0 },
    ]);
  });
});
