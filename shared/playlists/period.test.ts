import { describe, expect, it } from "vitest";
import { periodOf } from "./period";

const at = (iso: string) => Date.parse(iso);

describe("periodOf", () => {
  it("starts a week on Monday 00:00 in the listener's zone, not UTC's", () => {
    // Tuesday 21:00 UTC is already Wednesday in Auckland; the week there began on Monday 00:00 +13:00.
    const p = periodOf("weekly-monday", at("2026-12-01T21:00:00Z"), "Pacific/Auckland");
    expect(p.key).toBe("2026-11-30");
    expect(new Date(p.start).toISOString()).toBe("2026-11-29T11:00:00.000Z");
    expect(p.end - p.start).toBe(7 * 86_400_000);
  });

  it("changes at Monday midnight local time and not before", () => {
    const zone = "Europe/Stockholm";
    const sunday = periodOf("weekly-monday", at("2026-12-06T22:59:59Z"), zone);
    const monday = periodOf("weekly-monday", at("2026-12-06T23:00:00Z"), zone);
    expect(sunday.key).toBe("2026-11-30");
    expect(monday.key).toBe("2026-12-07");
    expect(monday.start).toBe(sunday.end);
  });

  it("makes a Release Radar week start on Friday", () => {
    const p = periodOf("weekly-friday", at("2026-12-01T12:00:00Z"), "UTC");
    expect(p.key).toBe("2026-11-27");
  });

  it("keeps a day 23 hours long on the spring daylight-saving switch", () => {
    const p = periodOf("daily", at("2026-03-29T12:00:00Z"), "Europe/Berlin");
    expect(p.key).toBe("2026-03-29");
    expect(p.end - p.start).toBe(23 * 3_600_000);
  });

  it("names an hour for the daylist", () => {
    const p = periodOf("hourly", at("2026-12-01T21:30:00Z"), "America/New_York");
    expect(p.key).toBe("2026-12-01T16");
    expect(p.end - p.start).toBe(3_600_000);
  });
});
