import { seededRandom } from "../util/random";

/** How a clustering is chosen. */
export interface ClusterOptions {
  /** The most clusters to consider. */
  maxClusters: number;
  /** A split is only taken when every cluster has at least this many items. */
  minClusterSize: number;
  /**
   * The weighted mean silhouette a split into two or more clusters must reach; below it the items
   * are one taste with some spread, not several tastes.
   */
  minSilhouette: number;
  seed: number;
  /** k-medoids starts per k; the cheapest clustering of them is kept. */
  restarts?: number;
}

export interface Cluster {
  /** Index of the item that stands for the cluster (the one closest to all its members). */
  medoid: number;
  /** Indexes of its items, heaviest first. */
  members: number[];
  weight: number;
}

export interface Clustering {
  /** Heaviest cluster first. */
  clusters: Cluster[];
  /** Weighted mean silhouette of the chosen split (0 for a single cluster). */
  silhouette: number;
}

const MAX_ITERATIONS = 50;

/**
 * Weighted k-medoids over a precomputed distance matrix, with the number of clusters chosen by
 * how varied the items are: each k from 2 to `maxClusters` is tried, and the one with the best
 * weighted silhouette wins if it reaches `minSilhouette` and leaves no cluster smaller than
 * `minClusterSize`; otherwise everything is one cluster. Medoids rather than means because the
 * distance (sound plus genre) has no mean to move to. Deterministic for a seed.
 *
 * `distance` is n*n, row-major, symmetric, zero on the diagonal.
 */
export function clusterByVariety(
  distance: Float64Array,
  weights: readonly number[],
  options: ClusterOptions,
): Clustering {
  const n = weights.length;
  if (n === 0) return { clusters: [], silhouette: 0 };
  const random = seededRandom(options.seed);
  let best: Clustering = { clusters: [toCluster(distance, weights, allOf(n))], silhouette: 0 };
  const largestK = Math.min(options.maxClusters, Math.floor(n / Math.max(1, options.minClusterSize)));
  for (let k = 2; k <= largestK; k++) {
    let cheapest: { assignment: Int32Array; cost: number } | null = null;
    for (let r = 0; r < (options.restarts ?? 4); r++) {
      const run = kMedoids(distance, weights, k, random);
      if (!cheapest || run.cost < cheapest.cost) cheapest = run;
    }
    const groups = groupsOf(cheapest!.assignment, k);
    if (groups.some((g) => g.length < options.minClusterSize)) continue;
    const silhouette = weightedSilhouette(distance, weights, cheapest!.assignment, k);
    if (silhouette >= options.minSilhouette && silhouette > best.silhouette) {
      best = { clusters: groups.map((g) => toCluster(distance, weights, g)), silhouette };
    }
  }
  best.clusters.sort((a, b) => b.weight - a.weight || a.medoid - b.medoid);
  return best;
}

const allOf = (n: number) => Array.from({ length: n }, (_, i) => i);

function groupsOf(assignment: Int32Array, k: number): number[][] {
  const groups: number[][] = Array.from({ length: k }, () => []);
  assignment.forEach((c, i) => groups[c]!.push(i));
  return groups;
}

function toCluster(distance: Float64Array, weights: readonly number[], members: number[]): Cluster {
  return {
    medoid: medoidOf(distance, weights, members),
    members: [...members].sort((a, b) => weights[b]! - weights[a]! || a - b),
    weight: members.reduce((sum, i) => sum + weights[i]!, 0),
  };
}

/** The member with the least weighted distance to the others. */
function medoidOf(distance: Float64Array, weights: readonly number[], members: readonly number[]): number {
  const n = weights.length;
  let best = members[0]!,
    bestCost = Infinity;
  for (const m of members) {
    let cost = 0;
    for (const j of members) cost += weights[j]! * distance[m * n + j]!;
    if (cost < bestCost) [best, bestCost] = [m, cost];
  }
  return best;
}

/** k-medoids++ seeding (heavy, far items are likelier first medoids), then alternate assignment and medoid update. */
function kMedoids(distance: Float64Array, weights: readonly number[], k: number, random: () => number) {
  const n = weights.length;
  const medoids = [pickWeighted(weights, random)];
  const nearest = Float64Array.from({ length: n }, (_, i) => distance[i * n + medoids[0]!]!);
  while (medoids.length < k) {
    const next = pickWeighted(
      weights.map((w, i) => w * nearest[i]! * nearest[i]!),
      random,
    );
    medoids.push(next);
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i]!, distance[i * n + next]!);
  }
  const assignment = new Int32Array(n);
  let cost = Infinity;
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    cost = 0;
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let m = 1; m < k; m++) if (distance[i * n + medoids[m]!]! < distance[i * n + medoids[c]!]!) c = m;
      assignment[i] = c;
      cost += weights[i]! * distance[i * n + medoids[c]!]!;
    }
    let moved = false;
    groupsOf(assignment, k).forEach((group, c) => {
      if (group.length === 0) return;
      const medoid = medoidOf(distance, weights, group);
      if (medoid !== medoids[c]) [medoids[c], moved] = [medoid, true];
    });
    if (!moved) break;
  }
  return { assignment, cost };
}

/** An index drawn with probability proportional to its weight (the first positive one if all draws fall short). */
function pickWeighted(weights: readonly number[], random: () => number): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let target = random() * total;
  for (let i = 0; i < weights.length; i++) if (weights[i]! > 0 && (target -= weights[i]!) < 0) return i;
  return Math.max(
    0,
    weights.findIndex((w) => w > 0),
  );
}

/**
 * Mean silhouette, weighted by the items' weights: for each item, how much nearer (in weighted
 * mean distance) its own cluster is than the next nearest one, from -1 to 1.
 */
export function weightedSilhouette(
  distance: Float64Array,
  weights: readonly number[],
  assignment: ArrayLike<number>,
  k: number,
): number {
  const n = weights.length;
  let total = 0,
    totalWeight = 0;
  const sums = new Float64Array(k),
    mass = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    mass.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      sums[assignment[j]!]! += weights[j]! * distance[i * n + j]!;
      mass[assignment[j]!]! += weights[j]!;
    }
    const own = assignment[i]!;
    // An item alone in its cluster has no cohesion to measure: silhouette 0 by convention.
    if (mass[own] === 0) {
      totalWeight += weights[i]!;
      continue;
    }
    const a = sums[own]! / mass[own]!;
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && mass[c]! > 0) b = Math.min(b, sums[c]! / mass[c]!);
    const s = b === Infinity ? 0 : (b - a) / Math.max(a, b, 1e-12);
    total += weights[i]! * s;
    totalWeight += weights[i]!;
  }
  return totalWeight > 0 ? total / totalWeight : 0;
}
