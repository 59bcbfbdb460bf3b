import { describe, expect, it } from "vitest";
import { crowdChart, crowdPlayed, MIN_CROWD } from "./crowd";

describe("what a group may be shown of its plays", () => {
  const played = (...listeners: number[]) => listeners.map((n, i) => ({ trackId: `t${i}`, listeners: n }));

  it("keeps the tracks at least MIN_CROWD of its listeners played, in their order", () => {
    const plays = played(MIN_CROWD + 3, MIN_CROWD, MIN_CROWD - 1, 1);
    expect(crowdPlayed(plays)).toEqual(plays.slice(0, 2));
  });

  it("keeps nothing of a group too small to hide one listener", () => {
    expect(crowdPlayed(played(MIN_CROWD - 1, MIN_CROWD - 1, 2))).toEqual([]);
    expect(crowdPlayed([])).toEqual([]);
  });
});

describe("a group's own chart", () => {
  const played = (count: number, listeners: (n: number) => number) =>
    Array.from({ length: count }, (_, n) => ({ trackId: `t${n}`, listeners: listeners(n) }));

  it("is its most played tracks once a crowd played each of them", () => {
    expect(
      crowdChart(
        played(12, (n) => MIN_CROWD + 12 - n),
        10,
      ),
    ).toEqual(played(10, () => 0).map((p) => p.trackId));
  });

  it("is none while fewer tracks than the chart's length have a crowd", () => {
    expect(
      crowdChart(
        played(10, (n) => (n < 9 ? MIN_CROWD + 1 : MIN_CROWD - 1)),
        10,
      ),
    ).toBeNull();
    expect(
      crowdChart(
        played(9, () => MIN_CROWD + 1),
        10,
      ),
    ).toBeNull();
  });
});
