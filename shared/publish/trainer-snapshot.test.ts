import { describe, expect, it } from "vitest";
import { Trainer, modelFrom, trainModel } from "../model";
import { decodeTrainerSnapshot, encodeTrainerSnapshot } from "./trainer-snapshot";

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
    const decoded = decodeTrainerSnapshot(encodeTrainerSnapshot(snapshot));
    expect(decoded).toEqual({ ...snapshot, blend: undefined });
    expect(decoded.arrays.c).toBeInstanceOf(Float64Array);
  });

  it("training resumed from an encoded snapshot after every step gives the model trained in one go", () => {
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
      snapshot = decodeTrainerSnapshot(encodeTrainerSnapshot(trainer.snapshot()));
    }
  });
});
