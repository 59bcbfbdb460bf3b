import { describe, expect, it } from "vitest";
import { seededRandom } from "../util/random";
import { pairedDifference, promotionDecision, PROMOTION_GATE, type GateInput, type ListenerFigures } from "./promotion";

const holdout = (ndcg: number, recall: number) => ({ listeners: 100, ndcg, recall, coverage: 0.2 });

/** A version whose listener l scores base(l) + shift, plus noise of the given size. */
function version(name: string, listeners: number, shift: number, noise: number, seed: number): GateInput {
  const random = seededRandom(seed);
  const base = seededRandom(99);
  const figures = new Map<string, ListenerFigures>();
  for (let l = 0; l < listeners; l++) {
    // Listeners differ far more from each other (0 to 0.4) than the versions do.
    const own = base() * 0.4;
    const value = Math.max(0, own + shift + (random() - 0.5) * noise);
    figures.set(`l_${l}`, { ndcg: value, recall: value * 1.2 });
  }
  const mean = (m: "ndcg" | "recall") => [...figures.values()].reduce((s, f) => s + f[m], 0) / listeners;
  return { version: name, holdout: holdout(mean("ndcg"), mean("recall")), listeners: figures };
}

describe("pairedDifference", () => {
  it("is the mean of the differences with its standard error", () => {
    const d = pairedDifference([
      [0.3, 0.1],
      [0.2, 0.2],
      [0.4, 0.3],
    ]);
    expect(d.candidate).toBeCloseTo(0.3);
    expect(d.live).toBeCloseTo(0.2);
    expect(d.difference).toBeCloseTo(0.1);
    // Differences 0.2, 0, 0.1: sample deviation 0.1, over the root of 3.
    expect(d.standardError).toBeCloseTo(0.1 / Math.sqrt(3));
    expect(() => pairedDifference([[1, 1]])).toThrow(RangeError);
  });
});

describe("promotionDecision", () => {
  const live = version("v-live", 400, 0, 0.04, 1);

  it("promotes the first version", () => {
    expect(promotionDecision(live, null)).toMatchObject({ promote: true, basis: "no live version" });
  });

  it("promotes an equal model whatever the draw, and a slightly worse one within the margin", () => {
    for (let seed = 2; seed < 12; seed++) {
      expect(promotionDecision(version("v-new", 400, 0, 0.04, seed), live).promote, `seed ${seed}`).toBe(true);
    }
    const slightlyWorse = promotionDecision(version("v-new", 400, -0.005, 0.04, 3), live);
    expect(slightlyWorse).toMatchObject({ promote: true, basis: "paired", live: "v-live", pairedListeners: 400 });
    expect(slightlyWorse.reason).toMatch(/^not clearly worse than live version v-live on the 400 listeners/);
  });

  it("keeps out a clearly worse model, with its figures and what the operator can do", () => {
    const decision = promotionDecision(version("v-new", 400, -0.05, 0.04, 4), live);
    expect(decision).toMatchObject({ promote: false, basis: "paired", pairedListeners: 400 });
    expect(decision.ndcg!.difference).toBeLessThan(-0.04);
    expect(decision.ndcg!.upperBound).toBeLessThan(-decision.ndcg!.margin);
    expect(decision.ndcg!.margin).toBeCloseTo(PROMOTION_GATE.margin * decision.ndcg!.live);
    expect(decision.reason).toMatch(
      /^clearly worse than live version v-live on the 400 listeners both versions evaluated/,
    );
    expect(decision.reason).toMatch(/NDCG@10 0\.\d{4} vs 0\.\d{4} \(difference -0\.0\d{3} ± 0\.\d{4} s\.e\./);
    expect(decision.reason).toContain("POST /admin/models/v-new/promote");
  });

  it("pairs only listeners both versions evaluated", () => {
    const candidate = version("v-new", 400, 0, 0.04, 5);
    const fewer = { ...candidate, listeners: new Map([...candidate.listeners].slice(100)) };
    expect(promotionDecision(fewer, live)).toMatchObject({ promote: true, pairedListeners: 300 });
  });

  it("compares the averages when too few listeners are in common, and says so", () => {
    const strangers = (v: GateInput, prefix: string): GateInput => ({
      ...v,
      listeners: new Map([...v.listeners].map(([id, f]) => [`${prefix}${id}`, f])),
    });
    const worse = strangers(version("v-new", 400, -0.1, 0.04, 6), "x");
    const decision = promotionDecision(worse, live);
    expect(decision).toMatchObject({ promote: false, basis: "unpaired", pairedListeners: 0 });
    expect(decision.reason).toMatch(/^only 0 listeners evaluated by both versions/);
    expect(promotionDecision(strangers(version("v-new", 400, 0, 0.04, 7), "x"), live).promote).toBe(true);
  });
});
