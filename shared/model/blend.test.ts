import { describe, expect, it } from "vitest";
import { seededRandom } from "../util/random";
import { finish } from "../util/sliced";
import { BlendTuning, blendMeasure, COMPONENTS, type CandidateSet, type Component } from "./blend";

/** Random candidates and held-out items: a real measure for the search to climb. */
function randomMeasure(seed: number, pauseWork?: number) {
  const random = seededRandom(seed);
  const listeners = 40,
    width = 16,
    items = 60;
  const candidates: CandidateSet = {
    listeners,
    width,
    items: Int32Array.from({ length: listeners * width }, (_, slot) => (slot % width) * 3 + Math.floor(random() * 3)),
    scores: Float32Array.from({ length: listeners * width * COMPONENTS.length }, () => random()),
  };
  const relevant = Array.from({ length: listeners }, () => new Set([0, 1, 2].map(() => Math.floor(random() * items))));
  return blendMeasure(candidates, relevant, items, items, 10, pauseWork);
}

describe("BlendTuning", () => {
  it("cut into one measurement a step, resumed each time from its answers, ends with the blend of one go", () => {
    const available = Object.fromEntries(COMPONENTS.map((name) => [name, true])) as Record<Component, boolean>;
    const oneGo = new BlendTuning(0.4, available);
    const expected = finish(oneGo.advance(randomMeasure(3), Infinity));
    let measured: Float64Array = new Float64Array();
    let tuned: typeof expected;
    let steps = 0;
    do {
      // A fresh measure each step, as a Workflow step builds one from the arrays it reads back.
      const tuning = new BlendTuning(0.4, available, structuredClone(measured));
      tuned = finish(tuning.advance(randomMeasure(3), 1));
      measured = tuning.measured;
      steps++;
    } while (!tuned);
    expect(tuned).toEqual(expected);
    expect(measured).toEqual(oneGo.measured);
    expect(steps).toBe(oneGo.measured.length / 3);
    expect(steps).toBeGreaterThan(20);
  });

  it("measures the same when it pauses at every listener", () => {
    const available = Object.fromEntries(COMPONENTS.map((name) => [name, true])) as Record<Component, boolean>;
    const oneGo = new BlendTuning(0.4, available);
    const paused = new BlendTuning(0.4, available);
    const pausing = paused.advance(randomMeasure(3, 1), Infinity);
    let pauses = 0;
    while (!pausing.next().done) pauses++;
    expect(pauses).toBeGreaterThan(40);
    finish(oneGo.advance(randomMeasure(3), Infinity));
    expect(paused.measured).toEqual(oneGo.measured);
  });
});
