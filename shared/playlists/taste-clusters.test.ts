import { describe, expect, it } from "vitest";
import { seededRandom } from "../util/random";
import { clusterByVariety, weightedSilhouette, type ClusterOptions } from "./taste-clusters";

const OPTIONS: ClusterOptions = { maxClusters: 6, minClusterSize: 5, minSilhouette: 0.25, seed: 7 };

/** Points in the plane around the given centres, `perGroup` each, with their Euclidean distance matrix. */
function blobs(centres: [number, number][], perGroup: number, spread: number, seed = 1) {
  const random = seededRandom(seed);
  const points = centres.flatMap(([x, y]) =>
    Array.from({ length: perGroup }, () => [x + (random() - 0.5) * spread, y + (random() - 0.5) * spread] as const),
  );
  const n = points.length;
  const distance = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      distance[i * n + j] = Math.hypot(points[i]![0] - points[j]![0], points[i]![1] - points[j]![1]);
  return { distance, weights: points.map(() => 1) };
}

const groupOf = (index: number, perGroup: number) => Math.floor(index / perGroup);

describe("clusterByVariety", () => {
  it("finds as many clusters as there are separate groups, each group whole", () => {
    for (const count of [2, 3, 4, 6]) {
      const centres = Array.from({ length: count }, (_, i) => [i * 10, (i % 2) * 10] as [number, number]);
      const { distance, weights } = blobs(centres, 8, 2);
      const { clusters, silhouette } = clusterByVariety(distance, weights, OPTIONS);
      expect(clusters).toHaveLength(count);
      expect(silhouette).toBeGreaterThan(0.7);
      for (const cluster of clusters) expect(new Set(cluster.members.map((i) => groupOf(i, 8))).size).toBe(1);
    }
  });

  it("keeps one cluster for items spread evenly with no groups", () => {
    const random = seededRandom(3);
    const n = 40;
    const xs = Array.from({ length: n }, () => random());
    const distance = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) distance[i * n + j] = Math.abs(xs[i]! - xs[j]!);
    // A line cut in two still scores about 0.5 under silhouette; uniform spread is one taste at a stricter bar.
    const { clusters } = clusterByVariety(
      distance,
      xs.map(() => 1),
      { ...OPTIONS, minSilhouette: 0.7 },
    );
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.members).toHaveLength(n);
  });

  it("does not split off a group smaller than the least cluster size", () => {
    // 20 items near the origin and 3 far away: the 3 are below minClusterSize, so they stay with the rest.
    const { distance } = blobs(
      [
        [0, 0],
        [50, 50],
      ],
      20,
      2,
    );
    const n = 23;
    const kept = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) kept[i * n + j] = distance[i * 40 + j]!;
    expect(clusterByVariety(kept, Array(n).fill(1), OPTIONS).clusters).toHaveLength(1);
    expect(clusterByVariety(kept, Array(n).fill(1), { ...OPTIONS, minClusterSize: 3 }).clusters).toHaveLength(2);
  });

  it("puts the heaviest cluster first and is the same for the same seed", () => {
    const { distance, weights } = blobs(
      [
        [0, 0],
        [10, 10],
      ],
      8,
      2,
    );
    weights.fill(5, 8);
    const a = clusterByVariety(distance, weights, OPTIONS);
    const b = clusterByVariety(distance, weights, OPTIONS);
    expect(a).toEqual(b);
    expect(groupOf(a.clusters[0]!.medoid, 8)).toBe(1);
    expect(a.clusters[0]!.weight).toBe(40);
  });

  it("answers no cluster for nothing", () => {
    expect(clusterByVariety(new Float64Array(0), [], OPTIONS).clusters).toEqual([]);
  });
});

describe("weightedSilhouette", () => {
  it("is near 1 for tight far groups and below 0 for a mixed-up assignment", () => {
    const { distance, weights } = blobs(
      [
        [0, 0],
        [100, 0],
      ],
      5,
      1,
    );
    const right = Array.from({ length: 10 }, (_, i) => groupOf(i, 5));
    const wrong = right.map((_, i) => i % 2);
    expect(weightedSilhouette(distance, weights, right, 2)).toBeGreaterThan(0.95);
    expect(weightedSilhouette(distance, weights, wrong, 2)).toBeLessThan(0);
  });
});
