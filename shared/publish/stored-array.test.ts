import { describe, expect, it } from "vitest";
import { Trainer, modelFrom, storeWarmStart, trainModel, type StateArray, type TrainerState } from "../model";
import { decodeArray, encodeArray, memoryTrainerStore } from "./stored-array";

/** Through bytes as KV would hold them: every part copied into an ArrayBuffer of its own. */
function roundTrip(array: StateArray, maxBytes = 1 << 20): StateArray {
  const { header, parts } = encodeArray(array, maxBytes);
  return decodeArray(
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

describe("stored arrays", () => {
  it("round-trip every type", () => {
    for (const array of [new Int32Array([1, -2, 3]), new Float32Array([0.5]), new Float64Array([Math.PI, 2])]) {
      const decoded = roundTrip(array);
      expect(decoded).toBeInstanceOf(array.constructor);
      expect(decoded).toEqual(array);
    }
  });

  it("split an array larger than a part and join it back", () => {
    const large = Float64Array.from({ length: 1000 }, (_, i) => i / 7);
    const { header, parts } = encodeArray(large, 3000);
    expect(header.parts).toBe(3);
    expect(parts.every((part) => part.byteLength <= 3000)).toBe(true);
    expect(roundTrip(large, 3000)).toEqual(large);
  });

  it("refuse an array with parts missing", () => {
    const { header, parts } = encodeArray(new Int32Array(10), 8);
    expect(() =>
      decodeArray(
        header,
        parts.slice(1).map((part) => part.slice().buffer),
      ),
    ).toThrow(/parts/);
  });

  it("a trainer pages to its store only when what it holds outgrows its resident budget", async () => {
    const direct = trainModel(data, { seed: 1 });
    for (const residentBytes of [1 << 20, 64]) {
      const store = memoryTrainerStore(16);
      let puts = 0;
      const counted = { ...store, put: (name: string, array: StateArray) => (puts++, store.put(name, array)) };
      const trainer = new Trainer(data, { seed: 1, residentBytes });
      // One invocation that runs every step: within the budget nothing leaves memory, not even at the end.
      expect((await trainer.advance(counted, 1000)).finished).toBe(true);
      if (residentBytes > 64) expect(puts).toBe(0);
      else expect(puts).toBeGreaterThan(0);
      const model = modelFrom(trainer.outcome());
      for (let l = 0; l < data.listeners.length; l++) expect(model.recommend(l, 3)).toEqual(direct.recommend(l, 3));
    }
  });

  it("a trainer that hands the runtime back inside its steps trains the model of one go", async () => {
    const direct = trainModel(data, { seed: 1 });
    const trainer = new Trainer(data, { seed: 1 });
    let pauses = 0;
    let steps = 0;
    while (!(await trainer.advance(memoryTrainerStore(16), 1, async () => void pauses++)).finished) steps++;
    // Preparation and each phase's first build pause within their steps.
    expect(pauses).toBeGreaterThan(steps);
    const model = modelFrom(trainer.outcome());
    for (let l = 0; l < data.listeners.length; l++) expect(model.recommend(l, 3)).toEqual(direct.recommend(l, 3));
  });

  it("a warm start resumed after every step keeps its plan, whatever options resume it", async () => {
    const earlier = new Trainer(data, { seed: 2 });
    while (!earlier.step().finished);
    const { parts, blend } = earlier.outcome();
    const factors = parts.factors;
    const warm = { seed: 1, blend, warmStart: true };
    const inOneGo = new Trainer(data, warm);
    const oneGoStore = memoryTrainerStore(16);
    await storeWarmStart(oneGoStore, factors);
    await inOneGo.advance(oneGoStore, 1000);
    const store = memoryTrainerStore(16);
    await storeWarmStart(store, factors);
    let state: TrainerState | undefined;
    let trainer: Trainer;
    do {
      // As a queued job resumes it: with the blend and seed, not the warm start, which the state carries.
      trainer = state ? new Trainer(undefined, { seed: 1, blend }, state) : new Trainer(data, warm);
      await trainer.advance(store, 1);
      state = JSON.parse(JSON.stringify(trainer.state()));
    } while (!trainer.progress().finished);
    const [resumed, direct] = [trainer, inOneGo].map((t) => modelFrom(t.outcome()));
    for (let l = 0; l < data.listeners.length; l++) expect(resumed!.recommend(l, 3)).toEqual(direct!.recommend(l, 3));
  });

  it("training resumed through a store after every step gives the model trained in one go", async () => {
    const store = memoryTrainerStore(16);
    let state: TrainerState | undefined;
    for (;;) {
      const trainer = new Trainer(state ? undefined : data, { seed: 1 }, state);
      const progress = await trainer.advance(store, 1);
      // After preparation, which builds both, a job holds one data set's matrix: the validation split's or the whole data's.
      const resident = Object.keys(trainer.snapshot().arrays);
      if (state)
        expect(resident.includes("signed.indices") && resident.includes("validation.signed.indices")).toBe(false);
      if (progress.finished) {
        const resumed = modelFrom(trainer.outcome());
        const direct = trainModel(data, { seed: 1 });
        for (let l = 0; l < data.listeners.length; l++) expect(resumed.recommend(l, 3)).toEqual(direct.recommend(l, 3));
        await trainer.discard(store);
        expect(store.names()).toEqual([]);
        return;
      }
      state = JSON.parse(JSON.stringify(trainer.state()));
    }
  });
});
