import { describe, expect, it } from "vitest";
import { addDays, dayOf, daysBetween, weekOf } from "./days";

describe("KPI days", () => {
  it("are UTC dates, weeks start on Monday", () => {
    expect(dayOf(Date.parse("2026-11-02T23:59:59.999Z"))).toBe("2026-11-02");
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(weekOf("2026-11-08")).toBe("2026-11-02"); // a Sunday
    expect(weekOf("2026-11-02")).toBe("2026-11-02");
    expect(daysBetween("2026-12-30", "2027-01-02")).toEqual(["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]);
  });
});
