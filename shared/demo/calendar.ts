import { DEMO_REFERENCE_DATE, generateDemoCatalog, type DemoCatalog } from "./catalog";
import { DEMO_NOW, generateDemoListeners, type DemoListening } from "./listeners";

const DAY_MS = 86_400_000;

export interface DemoData {
  catalog: DemoCatalog;
  listening: DemoListening;
}

/**
 * The demo data seeded at `now`: drawn once on the fixed demo calendar (history ending at DEMO_NOW)
 * and moved by whole days to end at the last DEMO_NOW time of day at or before `now` (so a seed gives
 * the same data whatever the hour, too). Drawing it at the seed date
 * instead gave other release dates, so other histories and another model, on every day of the
 * year; moved, it is the same catalog and listening at the same ages whatever the date, so what
 * tests judge on it does not drift with the calendar.
 */
export function demoDataAt(now: number): DemoData {
  const catalog = generateDemoCatalog(1, DEMO_REFERENCE_DATE);
  const listening = generateDemoListeners(catalog, { now: DEMO_NOW });
  return moveDemoData({ catalog, listening }, Math.floor((now - DEMO_NOW) / DAY_MS));
}

/** The same data `days` later: every timestamp and release date moved, nothing else changed. */
export function moveDemoData({ catalog, listening }: DemoData, days: number): DemoData {
  const shift = days * DAY_MS;
  const moveDate = (date: string) => new Date(Date.parse(date) + shift).toISOString().slice(0, 10);
  return {
    catalog: {
      artists: catalog.artists,
      tracks: catalog.tracks.map((t) => ({ ...t, releaseDate: moveDate(t.releaseDate) })),
    },
    listening: {
      listeners: listening.listeners.map((l) => ({ ...l, createdAt: l.createdAt + shift })),
      events: listening.events.map((e) => ({ ...e, timestamp: e.timestamp + shift })),
    },
  };
}
