import { describe, expect, it } from "vitest";
import { EVALUATION_START, evaluateListeners, evaluateRange, evaluationReport } from "./evaluation";
import { popularityRecommender } from "./popularity";
import { holdoutSplit } from "./split";
import { syntheticListening } from "./synthetic";
import { trainModel } from "./model";

describe("evaluateRange", () => {
  it("cut into ranges of listeners, its progress round-tripped through JSON, gives the figures of one go", () => {
    const split = holdoutSplit(syntheticListening({ listeners: 120, items: 300, interactions: 3000, seed: 2 }), {
      seed: 1,
    });
    for (const recommender of [trainModel(split.train, { seed: 1 }), popularityRecommender(split.train)]) {
      const oneGo = evaluateListeners(recommender, split);
      let progress = EVALUATION_START;
      const listeners = [];
      while (progress.next < split.heldOut.length) {
        const range = evaluateRange(recommender, split, progress, progress.next + 17);
        progress = JSON.parse(JSON.stringify(range.progress));
        listeners.push(...range.listeners);
      }
      expect(evaluationReport(progress, split)).toEqual(oneGo.report);
      expect(listeners).toEqual(oneGo.listeners);
    }
  });
});
