import { describe, expect, it } from "vitest";
import { seededRandom } from "../util/random";
import { evaluate, holdoutSplit, Trainer, trainModel, modelFrom, type TrainingData } from "./index";

/** Two listener groups with disjoint item blocks: what one group plays, the other never does. */
function plantedBlocks(seed: number): TrainingData {
  const random = seededRandom(seed);
  const listeners = Array.from({ length: 40 }, (_, l) => `l${l}`);
  const items = Array.from({ length: 40 }, (_, i) => `i${i}`);
  const interactions = listeners.flatMap((_, l) => {
    const block = l < 20 ? 0 : 20;
    const picks = new Set<number>();
    while (picks.size < 12) picks.add(block + Math.floor(random() * 20));
    return [...picks].map((item) => ({ listener: l, item, weight: 1 + Math.floor(random() * 50) }));
  });
  return { listeners, items, interactions };
}

describe("trainModel", () => {
  it("recovers held-out items of planted blocks and never crosses blocks", () => {
    const split = holdoutSplit(plantedBlocks(3), { seed: 5 });
    const model = trainModel(split.train, { seed: 7, sampleListeners: 40 });
    const report = evaluate(model, split);
    expect(report.recall).toBeGreaterThan(0.6);
    for (let l = 0; l < 40; l++) {
      for (const { item } of model.recommend(l, 5)) expect(item < 20).toBe(l < 20);
    }
  });

  it("excludes the listener's training items and is deterministic for a seed", () => {
    const data = plantedBlocks(4);
    const a = trainModel(data, { seed: 11 }),
      b = trainModel(data, { seed: 11 });
    const own = new Set(
      (data.interactions as { listener: number; item: number }[]).filter((x) => x.listener === 0).map((x) => x.item),
    );
    expect(a.recommend(0, 10).some((r) => own.has(r.item))).toBe(false);
    expect(a.recommend(3, 10)).toEqual(b.recommend(3, 10));
    expect(a.blendWeights).toEqual(b.blendWeights);
  });

  it("serves a new listener from seed items", () => {
    const model = trainModel(plantedBlocks(5), { seed: 1 });
    const recommended = model.recommendFromSeeds([21, 22, 23], 8);
    expect(recommended).toHaveLength(8);
    for (const { item } of recommended) {
      expect(item).toBeGreaterThanOrEqual(20);
      expect([21, 22, 23]).not.toContain(item);
    }
  });

  it("gives an item nobody played neighbours by content, near-identical features first", () => {
    const random = seededRandom(9);
    const data = plantedBlocks(6);
    const features = data.items.map(() => Array.from({ length: 5 }, () => random()));
    features[0] = features[27]!.map((x) => x + 1e-4);
    data.itemContent = features.map((f) => ({ features: f }));
    data.interactions = (data.interactions as { listener: number; item: number; weight: number }[]).filter(
      (x) => x.item !== 0,
    );
    const model = trainModel(data, { seed: 2 });
    const similar = model.similarItems(0, 5);
    expect(similar[0]?.item).toBe(27);
    expect(similar).toHaveLength(5);
  });

  it.each(["validation ALS", "ALS"])(
    "trains step-wise across a snapshot and restore (in %s) to the same model",
    (restoreIn) => {
      const data = plantedBlocks(8);
      const oneGo = trainModel(data, { seed: 4 });
      let trainer = new Trainer(data, { seed: 4 });
      while (trainer.step().phase !== restoreIn);
      trainer.step();
      trainer = new Trainer(data, { seed: 4 }, structuredClone(trainer.snapshot()));
      expect(trainer.progress().phase).toBe(restoreIn);
      while (!trainer.step().finished);
      const resumed = modelFrom(trainer.outcome());
      expect(resumed.blendWeights).toEqual(oneGo.blendWeights);
      for (const l of [0, 25]) expect(resumed.recommend(l, 10)).toEqual(oneGo.recommend(l, 10));
    },
  );
});
