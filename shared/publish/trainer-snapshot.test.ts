import { describe, expect, it } from "vitest";
import { Trainer, modelFrom, trainModel } from "../model";
import type { TrainerSnapshot } from "../model";
import { joinTrainerSnapshot, splitTrainerSnapshot } from "./trainer-snapshot";

/** Through bytes as KV would hold them: every part copied into an ArrayBuffer of its own. */
function roundTrip(snapshot: TrainerSnapshot, maxBytes = 1 << 20): TrainerSnapshot {
  const { header, parts } = splitTrainerSnapshot(snapshot, maxBytes);
  return joinTrainerSnapshot(
    JSON.parse(JSON.stringify(header)),
    parts.map((part) => part.slice().buffer),
  );
}

const data = {
  listeners: ["a", "b", "c", "d", "e", "f"],
  items: ["x", "y", "z", "w", "v"],
  interactions: [
    { listener: 0, item: 0, weight: 5 },
    { listener: 0, item: 1, weight: 3 },
    { listener: 1, item: 0, weight: 2 },
    { listener: 1, item: 1, weight: 4 },
    { listener: 1, item: 2, weight: 1 },
    { listener: 2, item: 2, weight: 6 },
    { listener: 2, item: 3, weight: 2 },
    { listener: 3, item: 3, weight: 3 },
    { listener: 3, item: 4, weight: 5 },
    { listener: 4, item: 4, weight: 1 },
    { listener: 4, item: 0, weight: 2 },
    { listener: 5, item: 1, weight: 3 },
  ],
};

describe("trainer snapshots", () => {
  it("round-trip every array and field", () => {
    const snapshot = {
      phase: 3,
      cursor: 7,
      arrays: { a: new Int32Array([1, -2, 3]), b: new Float32Array([0.5]), c: new Float64Array([Math.PI, 2]) },
    };
    const decoded = roundTrip(snapshot);
    expect(decoded).toEqual({ ...snapshot, blend: undefined });
    expect(decoded.arrays.c).toBeInstanceOf(Float64Array);
  });

  it("split arrays larger than a part and join them back", () => {
    const large = Float64Array.from({ length: 1000 }, (_, i) => i / 7);
    const snapshot = {
      phase: 1,
      cursor: 0,
      arrays: { small: new Int32Array([4]), large, after: new Float32Array([1.5]) },
    };
    const { header, parts } = splitTrainerSnapshot(snapshot, 3000);
    expect(header.arrays.map((a) => a.parts)).toEqual([1, 3, 1]);
    expect(parts.every((part) => part.byteLength <= 3000)).toBe(true);
    expect(roundTrip(snapshot, 3000)).toEqual({ ...snapshot, blend: undefined });
  });

  it("refuse a snapshot with parts missing", () => {
    const { header, parts } = splitTrainerSnapshot({ phase: 0, cursor: 0, arrays: { a: new Int32Array(10) } }, 8);
    expect(() =>
      joinTrainerSnapshot(
        header,
        parts.slice(1).map((part) => part.slice().buffer),
      ),
    ).toThrow(/missing/);
  });

  it("training resumed from a stored snapshot after every step gives the model trained in one go", () => {
    let snapshot = undefined;
    for (;;) {
      const trainer = new Trainer(data, { seed: 1 }, snapshot);
      const progress = trainer.step();
      if (progress.finished) {
        const resumed = modelFrom(trainer.outcome());
        const direct = trainModel(data, { seed: 1 });
        for (let l = 0; l < data.listeners.length; l++) expect(resumed.recommend(l, 3)).toEqual(direct.recommend(l, 3));
        return;
      }
      snapshot = roundTrip(trainer.snapshot(), 16);
    }
  });
});
