import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PLAYBACK_TYPES } from "../session/events";
import { recommendationId } from "./attribution";
import {
  added,
  byTime,
  difference,
  figures,
  FIGURES,
  listPlays,
  sessionHistogram,
  type Before,
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

/** What the consumer's reads give as the `Before` of `x` from the stored events (shared/analytics/store.ts BEFORE). */
function storedBefore(stored: readonly RollupEvent[], x: RollupEvent): Before {
  const earlier = stored.filter((e) => PLAYBACK_TYPES.has(e.type) && byTime(e, x) < 0).sort(byTime);
  const previous = earlier.filter((e) => e.at > x.at - 30 * 60_000).at(-1);
  return {
    previous: previous && {
      type: previous.type,
      trackId: previous.trackId,
      at: previous.at,
      eventId: previous.eventId,
    },
    trackPlayedAt: earlier.filter((e) => e.trackId === x.trackId).at(-1)?.at,
    artistKnown: x.artistId !== null && earlier.some((e) => e.artistId === x.artistId),
  };
}

/** The stored events the reads give as affected by `fresh` (store.ts FIRST_AFTER): the first playback after each, of its track, of its artist. */
function affectedBy(stored: readonly RollupEvent[], fresh: readonly RollupEvent[]): RollupEvent[] {
  const first = (f: RollupEvent, which: (e: RollupEvent) => boolean) =>
    stored.filter((e) => PLAYBACK_TYPES.has(e.type) && byTime(e, f) > 0 && which(e)).sort(byTime)[0];
  const found = fresh.flatMap((f) => [
    first(f, () => true),
    first(f, (e) => e.trackId === f.trackId),
    first(f, (e) => e.artistId !== null && e.artistId === f.artistId),
  ]);
  return [...new Set(found.filter((e) => e !== undefined))];
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

  it("what fresh events add, from the few stored events around them, is the figures of all less those of the stored (incremental = recomputed)", () => {
    fc.assert(
      fc.property(anyEvents, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (events, isFresh) => {
        const fresh = events.filter((_, i) => isFresh[i]);
        const stored = events.filter((_, i) => !isFresh[i]);
        const withBefore = (xs: readonly RollupEvent[]) =>
          xs.map((event) => ({ event, before: storedBefore(stored, event) }));
        expect(sorted(added(withBefore(fresh), withBefore(affectedBy(stored, fresh))))).toEqual(
          sorted(difference(figures(events, NOTHING), figures(stored, NOTHING))),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("figures of all events from nothing are those of each event given what came before it", () => {
    fc.assert(
      fc.property(anyEvents, (events) => {
        expect(
          sorted(
            added(
              events.map((event) => ({ event, before: storedBefore([], event) })),
              [],
            ),
          ),
        ).toEqual(sorted(difference(figures(events, NOTHING), [])));
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
