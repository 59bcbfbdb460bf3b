import { describe, expect, it } from "vitest";
import { promotionDecision } from "./promotion";

const metrics = (ndcg: number, recall: number) => ({ listeners: 100, ndcg, recall, coverage: 0.2 });

describe("promotionDecision", () => {
  it("promotes the first version", () => {
    expect(promotionDecision(metrics(0.1, 0.1), null).promote).toBe(true);
  });
  it("promotes a version that is better or within the tolerance", () => {
    expect(promotionDecision(metrics(0.3, 0.3), metrics(0.25, 0.25)).promote).toBe(true);
    expect(promotionDecision(metrics(0.24, 0.24), metrics(0.25, 0.25), 0.05).promote).toBe(true);
  });
  it("keeps out a version worse on either figure beyond the tolerance, and says why", () => {
    const ndcgDrop = promotionDecision(metrics(0.2, 0.25), metrics(0.25, 0.25), 0.05);
    expect(ndcgDrop).toEqual({
      promote: false,
      reason: "worse than the live version on the holdout: ndcg 0.2000 < 0.2500",
    });
    expect(promotionDecision(metrics(0.25, 0.1), metrics(0.25, 0.25), 0.05).promote).toBe(false);
  });
});
