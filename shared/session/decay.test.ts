import { describe, expect, it } from "vitest";
import { addDecayed, decayedValue } from "./decay";

const HALF_LIFE = 1000;

describe("decayedValue", () => {
  it("halves every half-life and never grows for a clock behind the anchor", () => {
    const w = { value: 4, at: 10_000 };
    expect(decayedValue(w, 11_000, HALF_LIFE)).toBeCloseTo(2);
    expect(decayedValue(w, 12_000, HALF_LIFE)).toBeCloseTo(1);
    expect(decayedValue(w, 9_000, HALF_LIFE)).toBe(4);
  });
});

describe("addDecayed", () => {
  it("decays the old value to the new event before adding", () => {
    expect(addDecayed({ value: 2, at: 0 }, 1, 1000, HALF_LIFE)).toEqual({ value: 2, at: 1000 });
  });

  it("gives the same result whatever order two events arrive in", () => {
    const inOrder = addDecayed(addDecayed(undefined, 1, 0, HALF_LIFE), -2, 1000, HALF_LIFE);
    const reversed = addDecayed(addDecayed(undefined, -2, 1000, HALF_LIFE), 1, 0, HALF_LIFE);
    expect(reversed.at).toBe(inOrder.at);
    expect(reversed.value).toBeCloseTo(inOrder.value);
  });
});
