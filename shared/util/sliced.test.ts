import { describe, expect, it } from "vitest";
import { finish, finishYielding, mapSliced, Pacer, pauseEvery, type Sliced } from "./sliced";

function* sumTo(n: number, pacer: Pacer): Sliced<number> {
  let sum = 0;
  for (let i = 1; i <= n; i++) {
    sum += i;
    if (pacer.due(1)) yield;
  }
  return sum;
}

describe("sliced computations", () => {
  it("give the same result in a go and with a pause at each slice", async () => {
    let pauses = 0;
    expect(await finishYielding(sumTo(100, new Pacer(10)), async () => void pauses++)).toBe(
      finish(sumTo(100, new Pacer(10))),
    );
    expect(pauses).toBe(10);
  });

  it("map with a pause after every so many items", () => {
    const mapping = mapSliced([1, 2, 3, 4, 5], 2, (x, n) => x * 10 + n);
    let pauses = 0;
    for (let next = mapping.next(); ; next = mapping.next()) {
      if (next.done) {
        expect(next.value).toEqual([10, 21, 32, 43, 54]);
        break;
      }
      pauses++;
    }
    expect(pauses).toBe(2);
  });

  it("never pause with an infinite bound, and pause every nth call in async loops", () => {
    const pacer = new Pacer(Infinity);
    expect(Array.from({ length: 1000 }, () => pacer.due(1e9)).some(Boolean)).toBe(false);
    const pause = pauseEvery(3);
    expect(Array.from({ length: 7 }, () => pause() !== undefined)).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
      false,
    ]);
  });
});
