import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rollupDay, sessionHistogram, type RollupEvent } from "./rollup";

const T = Date.parse("2026-11-02T10:00:00Z");
const ev = (listenerId: string, eventId: string, over: Partial<RollupEvent>): RollupEvent => ({
  listenerId,
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
  at: T,
  ...over,
});

const day = [
  ev("a", "1", {}),
  ev("a", "2", { type: "complete", msPlayed: 200_000, at: T + 200_000 }),
  ev("a", "3", { trackId: "t2", artistId: "a2", type: "skip", positionMs: 5_000, msPlayed: 5_000, at: T + 300_000 }),
  // Over 30 idle minutes later: the complete is a listen of its own, and a repeat of t1.
  ev("a", "4", { type: "complete", msPlayed: 200_000, at: T + 3_600_000 }),
  ev("b", "5", { type: "like", device: "car", at: T }),
];

describe("a day's rollup", () => {
  it("counts per slice from the day's events and what each listener played before", () => {
    const past = new Map([["a", { lastPlayedAt: new Map([["t2", T - 8 * 86_400_000]]), artists: new Set(["a2"]) }]]);
    const { rows, active } = rollupDay(day, past);
    expect(rows).toEqual([
      {
        surface: "radio",
        device: "phone",
        region: "SE",
        variant: "none",
        modelVersion: "none",
        listeners: 1,
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
      expect.objectContaining({ device: "car", listeners: 1, starts: 0, likes: 1 }),
    ]);
    expect(active.map((a) => [a.listenerId, a.device])).toEqual([
      ["a", "phone"],
      ["b", "car"],
    ]);
  });

  it("does not depend on the order events arrive in", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(day, { minLength: day.length }), (shuffled) => {
        expect(rollupDay(shuffled, new Map())).toEqual(rollupDay(day, new Map()));
      }),
    );
  });

  it("sessions make a histogram of exact lengths per region", () => {
    expect(
      sessionHistogram([
        { lengthMs: 5, region: "SE" },
        { lengthMs: 5, region: "SE" },
        { lengthMs: 5, region: "DE" },
      ]),
    ).toEqual([
      { region: "SE", lengthMs: 5, sessions: 2 },
      { region: "DE", lengthMs: 5, sessions: 1 },
    ]);
  });
});
