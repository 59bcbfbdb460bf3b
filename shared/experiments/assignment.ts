import type { Device } from "../catalog/types";
import { fnv1a } from "../util/hash";
import type { ExperimentSurface, LiveExperiment, RankingOverrides, Variant } from "./definition";

/** Each layer's listeners are spread over this many buckets; an experiment owns a range of them. */
export const LAYER_BUCKETS = 10_000;

/** The listener's bucket in a layer: one per layer, whatever experiments run in it, so ranges never overlap. */
export function layerBucket(layer: string, pseudonym: string): number {
  return fnv1a(`${layer}:${pseudonym}`) % LAYER_BUCKETS;
}

/**
 * The listener's variant by the experiment's shares, from a hash of salt and pseudonym: the same
 * listener always gets the same variant, and a new salt gives a split independent of the bucket's.
 */
export function variantOf(experiment: Pick<LiveExperiment, "salt" | "variants">, pseudonym: string): Variant {
  const u = fnv1a(experiment.salt + pseudonym) / 2 ** 32;
  let upTo = 0;
  for (const variant of experiment.variants) {
    upTo += variant.share;
    if (u < upTo) return variant;
  }
  // Shares sum to 1 up to rounding; what rounding leaves above the sum belongs to the last variant.
  return experiment.variants[experiment.variants.length - 1]!;
}

/** What targeting looks at, known at the edge when a request is answered. */
export interface ListenerFacts {
  surface: ExperimentSurface;
  region: string | null;
  device: Device | null;
  /** When the listener was first seen; null when unknown (then neither `new` nor `existing` targeting takes them). */
  firstSeenAt: number | null;
}

export function targets(experiment: LiveExperiment, facts: ListenerFacts): boolean {
  const t = experiment.targeting;
  if (!t.surfaces.includes(facts.surface)) return false;
  if (t.regions && (facts.region === null || !t.regions.includes(facts.region))) return false;
  if (t.devices && (facts.device === null || !t.devices.includes(facts.device))) return false;
  if (t.listeners === "all") return true;
  if (facts.firstSeenAt === null) return false;
  return facts.firstSeenAt >= experiment.startedAt === (t.listeners === "new");
}

/** True when some experiment needs to know whether the listener is new, so the edge asks only then. */
export function needsFirstSeen(experiments: readonly LiveExperiment[]): boolean {
  return experiments.some((e) => e.targeting.listeners !== "all");
}

export interface Assignment {
  experimentId: string;
  variant: Variant;
}

/**
 * The listener's variants, one per experiment whose bucket range holds them and whose targeting takes
 * them (so at most one per layer), in experiment id order.
 */
export function assign(experiments: readonly LiveExperiment[], pseudonym: string, facts: ListenerFacts): Assignment[] {
  return experiments
    .filter((e) => {
      const bucket = layerBucket(e.layer, pseudonym);
      return bucket >= e.buckets[0] && bucket < e.buckets[1] && targets(e, facts);
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((e) => ({ experimentId: e.id, variant: variantOf(e, pseudonym) }));
}

/** How an answer is served: a model version other than the live one (if any variant names one) and the overrides. */
export interface Serving {
  modelVersion: string | null;
  overrides: RankingOverrides;
}

/**
 * The shipped defaults with each assigned variant's overrides on top, in experiment id order.
 * Experiments on the same knob belong in one layer; across layers, the first variant naming a model version wins.
 */
export function servingOf(assignments: readonly Assignment[], defaults: RankingOverrides): Serving {
  return {
    modelVersion: assignments.find((a) => a.variant.modelVersion)?.variant.modelVersion ?? null,
    overrides: Object.assign({}, defaults, ...assignments.map((a) => a.variant.overrides ?? {})) as RankingOverrides,
  };
}

/**
 * A range of `traffic` (0..1) of a layer's buckets beside those `taken` by its other running or paused
 * experiments: the first gap wide enough, so a range, once given, never moves while others come and go
 * (moving it would move listeners between experiments). Null when no gap is wide enough.
 */
export function allocateBuckets(
  taken: readonly (readonly [number, number])[],
  traffic: number,
): [number, number] | null {
  const width = Math.round(traffic * LAYER_BUCKETS);
  let from = 0;
  for (const [start, end] of [...taken].sort((a, b) => a[0] - b[0])) {
    if (start - from >= width) break;
    from = Math.max(from, end);
  }
  return from + width <= LAYER_BUCKETS ? [from, from + width] : null;
}
