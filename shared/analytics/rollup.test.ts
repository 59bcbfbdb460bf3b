import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PLAYBACK_TYPES } from "../session/events";
import { recommendationId } from "./attribution";
import {
  difference,
  figures,
  FIGURES,
  listPlays,
  sessionHistogram,
  type DayRow,
  type ListenerPast,
  type RollupEvent,
} from "./rollup";

const T = Date.parse("2026-11-02T10:00:00Z");
const NOTHING: ListenerPast = { lastPlayedAt: new Map(), artists: new Set() };
const ev = (eventId: string, over: Partial<RollupEvent>): RollupEvent => ({
  listenerId: "a",
  eventId,
  trackId: "t1",
  artistId: "a1",
  type: "play",
  positionMs: null,
  durationMs: 200_000,
  msPlayed: null,
  device: "phone",
  region: "SE",
  context: { source: "radio" },
  listEnd: false,
  at: T,
  ...over,
});

const day = [
  ev("1", {}),
  ev("2", { type: "complete", msPlayed: 200_000, at: T + 200_000 }),
  ev("3", { trackId: "t2", artistId: "a2", type: "skip", positionMs: 5_000, msPlayed: 5_000, at: T + 300_000 }),
  // Over 30 idle minutes later: the complete is a listen of its own, and a repeat of t1.
  ev("4", { type: "complete", msPlayed: 200_000, at: T + 3_600_000 }),
  ev("5", { type: "like", device: "car", at: T }),
];

/** What the consumer's reads (shared/analytics/store.ts) give as the past of `events` before `from`. */
function pastOf(events: readonly RollupEvent[], from: number): ListenerPast {
  const before = events.filter((e) => e.at < from && PLAYBACK_TYPES.has(e.type));
  const lastPlayedAt = new Map<string, number>();
  for (const e of before) lastPlayedAt.set(e.trackId, Math.max(e.at, lastPlayedAt.get(e.trackId) ?? e.at));
  const last = before
    .filter((e) => e.at > from - 30 * 60_000)
    .sort((a, b) => b.at - a.at || (a.eventId < b.eventId ? 1 : -1))[0];
  return {
    lastPlayedAt,
    artists: new Set(before.flatMap((e) => (e.artistId ? [e.artistId] : []))),
    lastPlayback: last && { type: last.type, trackId: last.trackId, at: last.at },
  };
}
const sum = (a: readonly DayRow[], b: readonly DayRow[]) => difference(a, difference([], b));
const sorted = (rows: readonly DayRow[]) =>
  [...rows].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));

const anyEvents = fc
  .array(
    fc.record({
      trackId: fc.constantFrom("t1", "t2", "t3"),
      type: fc.constantFrom("play", "complete", "skip", "repeat", "like", "add_to_playlist"),
      positionMs: fc.option(fc.integer({ min: 0, max: 200_000 })),
      msPlayed: fc.option(fc.integer({ min: 0, max: 200_000 })),
      device: fc.constantFrom("phone", "car"),
      // Minutes over ten days: repeats within and past 7 days, sessions within and past 30 idle minutes.
      minute: fc.integer({ min: 0, max: 14_400 }),
    }),
    { maxLength: 30 },
  )
  .map((es) =>
    es.map((e, i) =>
      ev(`e${i}`, {
        ...e,
        artistId: e.trackId === "t3" ? "a2" : "a1",
        // Several at one moment: ties are broken by id the same way everywhere.
        at: T + Math.floor(e.minute / 3) * 180_000,
      }),
    ),
  );

describe("a listener's figures", () => {
  it("counts per day and slice from the events and what the listener played before", () => {
    const past = { lastPlayedAt: new Map([["t2", T - 8 * 86_400_000]]), artists: new Set(["a2"]) };
    expect(figures(day, past)).toEqual([
      {
        day: "2026-11-02",
        surface: "radio",
        device: "phone",
        region: "SE",
        variant: "none",
        modelVersion: "none",
        starts: 3,
        listeningMs: 405_000,
        earlySkips: 1,
        completions: 2,
        repeats: 1, // t1 again within the day; t2 was last played 8 days ago
        trackDiscoveries: 1,
        artistDiscoveries: 1,
        likes: 0,
        saves: 0,
      },
      expect.objectContaining({ device: "car", starts: 0, likes: 1 }),
    ]);
  });

  it("do not depend on the order events arrive in", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(day, { minLength: day.length }), (shuffled) => {
        expect(figures(shuffled, NOTHING)).toEqual(figures(day, NOTHING));
      }),
    );
  });

  it("of the events from any moment on, given the past the reads give, add up to the figures of all (incremental = recomputed)", () => {
    fc.assert(
      fc.property(anyEvents, fc.integer({ min: 0, max: 14_400 }), (events, minute) => {
        const from = T + Math.floor(minute / 3) * 180_000;
        const whole = figures(events, NOTHING);
        const before = figures(
          events.filter((e) => e.at < from),
          NOTHING,
        );
        const after = figures(
          events.filter((e) => e.at >= from),
          pastOf(events, from),
        );
        expect(sorted(sum(before, after))).toEqual(sorted(difference(whole, [])));
      }),
    );
  });

  it("a late event adds exactly what the figures with it less those without it say, changes after it included", () => {
    fc.assert(
      fc.property(anyEvents, fc.nat(), (events, pick) => {
        fc.pre(events.length > 0);
        const late = events[pick % events.length]!;
        const others = events.filter((e) => e !== late);
        const stored = others.filter((e) => e.at >= late.at);
        const past = pastOf(others, late.at);
        const added = difference(figures([...stored, late], past), figures(stored, past));
        expect(sorted(sum(difference(figures(others, NOTHING), []), added))).toEqual(
          sorted(difference(figures(events, NOTHING), [])),
        );
      }),
    );
  });

  it("a difference leaves out rows that do not change", () => {
    const rows = figures(day, NOTHING);
    expect(difference(rows, rows)).toEqual([]);
    expect(FIGURES.every((f) => difference([], rows)[0]![f] === -rows[0]![f])).toBe(true);
  });
});

describe("lists played", () => {
  const list = recommendationId({ surface: "daily-mix-1", modelVersion: "v1", variant: null, servedAt: T }, "n1");
  const feed = recommendationId({ surface: "recommendations", modelVersion: "v1", variant: null, servedAt: T }, "n2");
  const context = { recommendationId: list, playlistId: "daily-mix-1" };

  it("a served list is played once per day and device, completed when its last track is played to its end", () => {
    expect(
      listPlays([
        ev("1", { context }),
        ev("2", { context, type: "complete" }),
        ev("3", { context, trackId: "t9", type: "skip", listEnd: true }),
        ev("4", { context, trackId: "t9", type: "complete", listEnd: true, device: "car" }),
        ev("5", { context, type: "like" }),
        ev("6", { context: { recommendationId: feed } }),
      ]),
    ).toEqual([
      expect.objectContaining({ day: "2026-11-02", recommendationId: list, device: "phone", completed: false }),
      expect.objectContaining({ day: "2026-11-02", recommendationId: list, device: "car", completed: true }),
    ]);
  });
});

describe("session lengths", () => {
  it("make a histogram of exact lengths per day of their start and region", () => {
    expect(
      sessionHistogram([
        { startedAt: T, lengthMs: 5, region: "SE" },
        { startedAt: T, lengthMs: 5, region: "SE" },
        { startedAt: T, lengthMs: 5, region: "DE" },
        { startedAt: T + 86_400_000, lengthMs: 5, region: "DE" },
      ]),
    ).toEqual([
      { day: "2026-11-02", region: "SE", lengthMs: 5, sessions: 2 },
      { day: "2026-11-02", region: "DE", lengthMs: 5, sessions: 1 },
      { day: "2026-11-03", region: "DE", lengthMs: 5, sessions: 1 },
    ]);
  });
});
