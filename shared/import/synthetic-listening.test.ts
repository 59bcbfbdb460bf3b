import { describe, expect, it } from "vitest";
import { SPREAD_MS, syntheticEventRange } from "./synthetic-listening";

describe("syntheticEventRange", () => {
  const size = { events: 20_000, listeners: 40, items: 300, seed: 3 };

  it("has exactly the events asked, numbered in order, within the listeners, items and time window", () => {
    const all = syntheticEventRange(size, 0, size.events);
    expect(all.map((e) => e.n)).toEqual(Array.from({ length: size.events }, (_, n) => n));
    expect(new Set(all.map((e) => e.listener)).size).toBe(size.listeners);
    expect(all.every((e) => e.item >= 0 && e.item < size.items && e.ageMs >= 0 && e.ageMs < SPREAD_MS)).toBe(true);
  });

  it("draws any range, in any order, as the whole run has it", () => {
    const all = syntheticEventRange(size, 0, size.events);
    for (const [from, count] of [
      [12_345, 999],
      [0, 1],
      [19_990, 100],
      [7, 4000],
    ] as const) {
      expect(syntheticEventRange(size, from, count)).toEqual(all.slice(from, from + count));
    }
  });

  it("plays the drawn pairs again past the first round, so a run of more events than plays is whole", () => {
    const many = { events: 5000, listeners: 5, items: 10, seed: 1 };
    const all = syntheticEventRange(many, 0, many.events);
    expect(all).toHaveLength(5000);
    expect(new Set(all.map((e) => `${e.listener}:${e.item}`)).size).toBeLessThanOrEqual(50);
  });
});
