import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocateBuckets,
  assign,
  LAYER_BUCKETS,
  layerBucket,
  servingOf,
  targets,
  variantOf,
  type ListenerFacts,
} from "./assignment";
import { ExperimentInput, type LiveExperiment } from "./definition";
import { histogramQuantile } from "../analytics/experiment-stats/latency";
import { bucketUpperMs, latencyBucket } from "./latency";

const FACTS: ListenerFacts = { surface: "recommendations", region: "SE", device: "phone", firstSeenAt: 0 };

function experiment(id: string, extra: Partial<LiveExperiment> = {}): LiveExperiment {
  const input = ExperimentInput.parse({
    name: id,
    hypothesis: "h",
    variants: [
      { name: "control", share: 0.5 },
      { name: "treatment", share: 0.5, overrides: { diversityLambda: 0.2 } },
    ],
    primaryMetric: "skipRate",
    minimumDetectableEffect: 0.05,
  });
  return { ...input, id, salt: `salt-${id}`, buckets: [0, LAYER_BUCKETS], startedAt: 1000, ...extra };
}

const pseudonym = fc.string({ minLength: 1, maxLength: 40 });

describe("assignment", () => {
  it("is deterministic: the same listener gets the same variants on every request", () => {
    const live = [experiment("x00000001"), experiment("x00000002", { layer: "other" })];
    fc.assert(
      fc.property(pseudonym, (p) => {
        expect(assign(live, p, FACTS)).toEqual(assign(live, p, FACTS));
      }),
    );
  });

  it("never puts a listener in two experiments of one layer", () => {
    fc.assert(
      fc.property(pseudonym, fc.integer({ min: 1, max: LAYER_BUCKETS - 1 }), (p, split) => {
        const live = [
          experiment("x00000001", { buckets: [0, split] }),
          experiment("x00000002", { buckets: [split, LAYER_BUCKETS] }),
        ];
        expect(assign(live, p, FACTS)).toHaveLength(1);
      }),
    );
  });

  it("takes each experiment's traffic share of a layer, and splits it by the variants' shares", () => {
    const e = experiment("x00000001", {
      buckets: [0, 3000],
      variants: [
        { name: "a", share: 0.2 },
        { name: "b", share: 0.8 },
      ],
    });
    const counts = new Map<string, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const [a] = assign([e], `listener-${i}`, FACTS);
      const key = a?.variant.name ?? "none";
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.get("none")! / n).toBeCloseTo(0.7, 1);
    expect(counts.get("a")! / (counts.get("a")! + counts.get("b")!)).toBeCloseTo(0.2, 1);
  });

  it("draws the variant independently of the layer's bucket: a new salt reshuffles the split", () => {
    const e = experiment("x00000001");
    const ids = Array.from({ length: 2000 }, (_, i) => `l-${i}`);
    const same = ids.filter((p) => variantOf(e, p).name === variantOf({ ...e, salt: "another salt" }, p).name).length;
    expect(same / ids.length).toBeGreaterThan(0.4);
    expect(same / ids.length).toBeLessThan(0.6);
    // The bucket does not depend on the salt at all.
    for (const p of ids.slice(0, 10)) expect(layerBucket("ranking", p)).toBeLessThan(LAYER_BUCKETS);
  });

  it("targets by surface, region, device and new or existing listeners", () => {
    const e = experiment("x00000001", {
      startedAt: 1000,
      targeting: { surfaces: ["speaker"], regions: ["SE"], devices: ["speaker"], listeners: "new" },
    });
    const facts: ListenerFacts = { surface: "speaker", region: "SE", device: "speaker", firstSeenAt: 1000 };
    expect(targets(e, facts)).toBe(true);
    expect(targets(e, { ...facts, surface: "recommendations" })).toBe(false);
    expect(targets(e, { ...facts, region: "NO" })).toBe(false);
    expect(targets(e, { ...facts, region: null })).toBe(false);
    expect(targets(e, { ...facts, device: "phone" })).toBe(false);
    expect(targets(e, { ...facts, firstSeenAt: 999 })).toBe(false);
    expect(targets(e, { ...facts, firstSeenAt: null })).toBe(false);
    const existing = { ...e, targeting: { ...e.targeting, listeners: "existing" as const } };
    expect(targets(existing, { ...facts, firstSeenAt: 999 })).toBe(true);
    expect(targets(existing, facts)).toBe(false);
  });

  it("serves the defaults with the variants' overrides on top, and the first model version named", () => {
    const serving = servingOf(
      [
        { experimentId: "x1", variant: { name: "a", share: 0.5, overrides: { diversityLambda: 0.1 } } },
        { experimentId: "x2", variant: { name: "b", share: 0.5, modelVersion: "v2", overrides: { maxPerArtist: 3 } } },
      ],
      { diversityLambda: 0.9, popularityPenalty: 1 },
    );
    expect(serving).toEqual({
      modelVersion: "v2",
      overrides: { diversityLambda: 0.1, popularityPenalty: 1, maxPerArtist: 3 },
    });
  });
});

describe("bucket ranges", () => {
  it("are disjoint, within the layer, of the asked width, and never move the ranges already given", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }), (percents) => {
        const taken: [number, number][] = [];
        for (const p of percents) {
          const range = allocateBuckets(taken, p / 100);
          if (!range) {
            // Refused only when no gap between the ranges given is wide enough.
            const edges = [...taken].sort((a, b) => a[0] - b[0]).flat();
            const gaps = [0, ...edges, LAYER_BUCKETS].flatMap((e, i, all) => (i % 2 === 0 ? [all[i + 1]! - e] : []));
            expect(Math.max(...gaps)).toBeLessThan(p * 100);
            continue;
          }
          expect(range[1] - range[0]).toBe(p * 100);
          expect(range[0]).toBeGreaterThanOrEqual(0);
          expect(range[1]).toBeLessThanOrEqual(LAYER_BUCKETS);
          for (const [a, b] of taken) expect(range[1] <= a || range[0] >= b).toBe(true);
          taken.push(range);
          // A stopped experiment frees its range for later ones.
          if (taken.length > 2) taken.splice(1, 1);
        }
      }),
    );
  });
});

describe("latency histogram", () => {
  it("puts each time in the bucket whose bounds hold it", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 500_000, noNaN: true }), (ms) => {
        const b = latencyBucket(ms);
        expect(ms).toBeLessThanOrEqual(bucketUpperMs(b) * (1 + 1e-12));
        if (b > 0) expect(ms).toBeGreaterThan(bucketUpperMs(b - 1));
      }),
    );
  });

  it("reads a quantile within a quarter octave of the exact one", () => {
    const times = Array.from({ length: 1000 }, (_, i) => i + 1);
    const histogram: Record<number, number> = {};
    for (const t of times)
      histogram[bucketUpperMs(latencyBucket(t))] = (histogram[bucketUpperMs(latencyBucket(t))] ?? 0) + 1;
    const p99 = histogramQuantile(histogram, 0.99)!.estimate;
    expect(p99).toBeGreaterThanOrEqual(990);
    expect(p99).toBeLessThan(990 * 2 ** 0.25);
  });
});
