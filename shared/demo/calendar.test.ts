import { describe, expect, it } from "vitest";
import { demoDataAt, type DemoData } from "./calendar";
import { DEMO_NOW } from "./listeners";

const DAY_MS = 86_400_000;

/**
 * Seed dates across a year and more: the day main's CI went red, month ends, both daylight-saving
 * switches in Europe and the US, the year's turn, a leap day, and a date before the demo calendar.
 */
const SEED_DATES = [
  "2026-12-01T19:30:00Z",
  "2027-01-01T00:05:00Z",
  "2027-02-28T23:59:00Z",
  "2027-03-14T10:00:00Z",
  "2027-03-28T01:30:00Z",
  "2027-05-31T12:00:00Z",
  "2027-06-21T06:00:00Z",
  "2027-08-15T18:00:00Z",
  "2027-10-31T02:30:00Z",
  "2027-11-07T09:00:00Z",
  "2027-12-31T23:59:59Z",
  "2028-02-29T12:00:00Z",
  "2026-06-01T08:00:00Z",
];

/** The data as ages relative to the seed day: what every window (charts, new releases, retention) reads. */
function ages({ catalog, listening }: DemoData, historyEnd: number) {
  return {
    artists: catalog.artists,
    tracks: catalog.tracks.map(({ releaseDate, ...t }) => ({
      ...t,
      releasedDaysAgo: Math.round((historyEnd - Date.parse(`${releaseDate}T12:00:00Z`)) / DAY_MS),
    })),
    listeners: listening.listeners.map(({ createdAt, ...l }) => ({ ...l, age: historyEnd - createdAt })),
    events: listening.events.map(({ timestamp, ...e }) => ({ ...e, age: historyEnd - timestamp })),
  };
}

const historyEndOf = (data: DemoData) => Math.max(...data.listening.events.map((e) => e.timestamp));

describe("demo data on the calendar", () => {
  const reference = demoDataAt(DEMO_NOW);
  const referenceEnd = historyEndOf(reference);
  const referenceAges = JSON.stringify(ages(reference, referenceEnd));

  // Each date draws the whole demo (about 74,000 events): seconds on a loaded machine.
  it.each(SEED_DATES)("seeded on %s, it is the reference data moved by whole days", { timeout: 60_000 }, (date) => {
    const now = Date.parse(date);
    const data = demoDataAt(now);
    const end = historyEndOf(data);
    // History ends within the day before the seed, at the demo calendar's time of day.
    expect(now - end).toBeGreaterThanOrEqual(0);
    expect(now - end).toBeLessThan(DAY_MS + (DEMO_NOW - referenceEnd));
    expect(Math.abs((end - referenceEnd) % DAY_MS)).toBe(0);
    // Compared as text: a deep comparison of 74,000 events is most of the test's time.
    expect(JSON.stringify(ages(data, end))).toBe(referenceAges);
    // Nothing is released after the day it is seeded, and no listening happens after it.
    const seedDay = new Date(now).toISOString().slice(0, 10);
    expect(data.catalog.tracks.every((t) => t.releaseDate <= seedDay)).toBe(true);
    expect(data.listening.events.every((e) => e.timestamp <= now)).toBe(true);
  });

  it("seeded twice on one day, at any hour, it is the same data", { timeout: 60_000 }, () => {
    const morning = demoDataAt(Date.parse("2027-04-10T13:00:00Z"));
    const night = demoDataAt(Date.parse("2027-04-11T11:59:00Z"));
    expect(JSON.stringify(night)).toBe(JSON.stringify(morning));
  });
});
