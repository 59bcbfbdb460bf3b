import { hitsAtK, ndcgAtK } from "./metrics";
import { Pacer, type Sliced } from "../util/sliced";
import { TopKHeap } from "./topK";

export const COMPONENTS = ["als", "itemKnn", "listenerKnn", "content"] as const;
export type Component = (typeof COMPONENTS)[number];

/**
 * How component scores combine: each component's scores for a listener are scaled so the best candidate is
 * 1, weighted and summed; then each item is damped by (1 + relative exposure)^-exposurePenalty, where
 * relative exposure is how often the item reaches listeners' top lists compared with a uniform spread.
 * Damping by the model's own exposure rather than raw popularity spares items that are popular and also
 * the right answer for few listeners, and lifts good matches the blend would bury under hits.
 */
export interface Blend {
  weights: Record<Component, number>;
  exposurePenalty: number;
}

/** Length of the per-listener list that counts towards exposure. */
export const EXPOSURE_LIST = 50;

/** Exposure is the blended score mass an item collects in listeners' top lists, relative to an even spread. */
export function exposureFactors(mass: Float64Array, penalty: number): Float32Array {
  const even = mass.reduce((sum, m) => sum + m, 0) / Math.max(mass.length, 1);
  const factors = new Float32Array(mass.length).fill(1);
  if (even > 0 && penalty !== 0)
    for (let j = 0; j < mass.length; j++) if (mass[j]! > 0) factors[j] = Math.pow(1 + mass[j]! / even, -penalty);
  return factors;
}

/** Validation listeners' candidate items, in item order, with each component's unit-max scores, in fixed strides. */
export interface CandidateSet {
  listeners: number;
  /** Candidate slots per listener; a listener's empty slots (item -1) come after its candidates. */
  width: number;
  items: Int32Array;
  /** Slot s of listener n, component c at ((n * width) + s) * COMPONENTS.length + c. */
  scores: Float32Array;
}

export interface BlendQuality {
  ndcg: number;
  recall: number;
  coverage: number;
}

/**
 * A measure of blends on validation candidates: ranks each listener's candidates under a blend and measures
 * NDCG, recall and coverage at k. Weighted sums and exposure do not depend on the exposure penalty, so they
 * are kept for the last weights measured: the tuner tries several penalties for each set of weights. A
 * measurement pauses every `pauseWork` units of work (see Pacer).
 */
/** The work of weighing and ranking one candidate slot, in Pacer's units (measured: about 25 ns). */
const SLOT_WORK = 25;

export function blendMeasure(
  candidates: CandidateSet,
  relevant: readonly ReadonlySet<number>[],
  itemCount: number,
  catalogSize: number,
  k = 10,
  pauseWork = Infinity,
): (blend: Blend) => Sliced<BlendQuality> {
  const { width, items, scores } = candidates;
  const c = COMPONENTS.length;
  const blended = new Float64Array(candidates.listeners * width);
  const exposure = new Float64Array(itemCount);
  const exposureHeap = new TopKHeap(EXPOSURE_LIST);
  const heap = new TopKHeap(k);
  let weightsMeasured: string | undefined;
  const pacer = new Pacer(pauseWork);
  function* blendWith(weights: number[]): Sliced<void> {
    exposure.fill(0);
    for (let n = 0; n < candidates.listeners; n++) {
      if (pacer.due(width * SLOT_WORK)) yield;
      let floor = -Infinity;
      for (let s = 0; s < width; s++) {
        const slot = n * width + s;
        if (items[slot]! < 0) break;
        let sum = 0;
        for (let m = 0; m < c; m++) sum += weights[m]! * scores[slot * c + m]!;
        blended[slot] = sum;
        if (sum > floor) {
          exposureHeap.push(slot, sum);
          floor = exposureHeap.floor();
        }
      }
      exposureHeap.takeEach((slot, score) => (exposure[items[slot]!]! += score));
    }
  }
  return function* (blend) {
    const weights = COMPONENTS.map((name) => blend.weights[name]);
    if (weights.join() !== weightsMeasured) {
      yield* blendWith(weights);
      weightsMeasured = weights.join();
    }
    const damping = exposureFactors(exposure, blend.exposurePenalty);
    const recommended = new Set<number>();
    let ndcg = 0,
      recall = 0,
      measured = 0;
    for (let n = 0; n < candidates.listeners; n++) {
      if (pacer.due(width * SLOT_WORK)) yield;
      let floor = -Infinity;
      for (let s = 0; s < width; s++) {
        const slot = n * width + s;
        if (items[slot]! < 0) break;
        const score = blended[slot]! * damping[items[slot]!]!;
        if (score > floor) {
          heap.push(items[slot]!, score);
          floor = heap.floor();
        }
      }
      const ranked = heap.drain().map((r) => r.item);
      ranked.forEach((item) => recommended.add(item));
      const wanted = relevant[n]!;
      if (wanted.size === 0) continue;
      measured++;
      ndcg += ndcgAtK(ranked, wanted, k);
      recall += hitsAtK(ranked, wanted, k) / Math.min(k, wanted.size);
    }
    return {
      ndcg: ndcg / Math.max(measured, 1),
      recall: recall / Math.max(measured, 1),
      coverage: recommended.size / Math.max(catalogSize, 1),
    };
  };
}

const WEIGHT_GRID = [0, 0.25, 0.5, 1, 2, 4];
const PENALTY_STEP = 0.025;
const MAX_PENALTY = 0.5;
const LAST_PENALTY_STEP = Math.floor(MAX_PENALTY / PENALTY_STEP);
const TUNING_ROUNDS = 3;

export interface TunedBlend {
  blend: Blend;
  quality: BlendQuality;
}

/**
 * Coordinate ascent over component weights (relative, so only ratios matter). Each weight vector is judged
 * at the exposure penalty where its validation coverage reaches `minCoverage` (coverage grows with the
 * penalty), so accuracy is compared at equal reach; a vector that cannot reach the floor ranks below all
 * that can, by its best coverage. It yields each blend to measure and is sent back its quality, so a caller
 * can stop after any measurement and resume (see BlendTuning).
 */
function* blendSearch(
  minCoverage: number,
  available: Record<Component, boolean>,
): Generator<Blend, TunedBlend, BlendQuality> {
  // Coverage grows with the penalty, so the floor is crossed between two neighbouring grid steps. The search
  // starts from the step where the best blend so far crossed it: a change of one weight moves the crossing
  // by a step or two, so this takes a few measurements where a scan from zero takes a dozen.
  function* atFloor(weights: Record<Component, number>, from = 0): Generator<Blend, TunedBlend, BlendQuality> {
    function* at(step: number): Generator<Blend, TunedBlend, BlendQuality> {
      const blend = { weights, exposurePenalty: step * PENALTY_STEP };
      return { blend, quality: yield blend };
    }
    let step = Math.min(from, LAST_PENALTY_STEP);
    let probe = yield* at(step);
    if (probe.quality.coverage >= minCoverage) {
      while (step > 0) {
        const below = yield* at(--step);
        if (below.quality.coverage < minCoverage) return interpolate(below, probe);
        probe = below;
      }
      return probe;
    }
    while (step < LAST_PENALTY_STEP) {
      const above = yield* at(++step);
      if (above.quality.coverage >= minCoverage) return interpolate(probe, above);
      probe = above;
    }
    return probe;
  }
  // Between the grid penalties either side of the floor, read quality at the floor itself: comparing blends
  // at exactly equal reach, rather than at whichever grid step happens to clear it, keeps the choice from
  // hinging on noise.
  const interpolate = (below: TunedBlend, above: TunedBlend): TunedBlend => {
    const t = (minCoverage - below.quality.coverage) / (above.quality.coverage - below.quality.coverage);
    const mix = (a: number, b: number) => a + t * (b - a);
    return {
      blend: {
        weights: above.blend.weights,
        exposurePenalty: Math.round(mix(below.blend.exposurePenalty, above.blend.exposurePenalty) * 1000) / 1000,
      },
      quality: {
        ndcg: mix(below.quality.ndcg, above.quality.ndcg),
        recall: mix(below.quality.recall, above.quality.recall),
        coverage: minCoverage,
      },
    };
  };
  const better = (a: BlendQuality, b: BlendQuality) => {
    const aFeasible = a.coverage >= minCoverage,
      bFeasible = b.coverage >= minCoverage;
    if (aFeasible !== bFeasible) return aFeasible;
    return aFeasible ? a.ndcg > b.ndcg : a.coverage > b.coverage;
  };
  const names = COMPONENTS.filter((n) => available[n]);
  let best = yield* atFloor(
    Object.fromEntries(COMPONENTS.map((name) => [name, available[name] ? 1 : 0])) as Record<Component, number>,
  );
  for (let round = 0; round < TUNING_ROUNDS; round++) {
    const before = best;
    for (const name of names) {
      for (const w of WEIGHT_GRID) {
        const weights = { ...best.blend.weights, [name]: w };
        if (w === best.blend.weights[name] || names.every((n) => weights[n] === 0)) continue;
        const candidate = yield* atFloor(weights, Math.ceil(best.blend.exposurePenalty / PENALTY_STEP));
        if (better(candidate.quality, best.quality)) best = candidate;
      }
    }
    if (best === before) break;
  }
  return best;
}

/** Values a measured quality takes in BlendTuning.measured. */
const QUALITY_FIELDS = 3;

/**
 * The blend search, cut into bounded pieces: `advance` measures at most a given number of blends, and
 * `measured` is everything the search has been told so far. A tuning built from those answers replays
 * them without measuring (the search is deterministic given its answers) and carries on exactly where the
 * last one stopped, so a tuning spread over many steps ends with the blend one run in a go would give.
 */
export class BlendTuning {
  /** Most measurements a search can ask for: an upper bound, for progress, never reached in practice. */
  static readonly MAX_MEASUREMENTS =
    (LAST_PENALTY_STEP + 1) * (1 + TUNING_ROUNDS * COMPONENTS.length * WEIGHT_GRID.length);

  private readonly search: Generator<Blend, TunedBlend, BlendQuality>;
  private asked: IteratorResult<Blend, TunedBlend>;
  private readonly answers: number[] = [];

  constructor(minCoverage: number, available: Record<Component, boolean>, measured: ArrayLike<number> = []) {
    this.search = blendSearch(minCoverage, available);
    this.asked = this.search.next();
    for (let n = 0; n + QUALITY_FIELDS <= measured.length && !this.asked.done; n += QUALITY_FIELDS)
      this.answer({ ndcg: measured[n]!, recall: measured[n + 1]!, coverage: measured[n + 2]! });
  }

  /** Measures up to `budget` more blends; answers the tuned blend once the search has ended. */
  *advance(measure: (blend: Blend) => Sliced<BlendQuality>, budget: number): Sliced<TunedBlend | undefined> {
    for (let n = 0; n < budget && !this.asked.done; n++) this.answer(yield* measure(this.asked.value));
    return this.asked.done ? this.asked.value : undefined;
  }

  /** Every quality the search was told, as ndcg, recall, coverage in turn. */
  get measured(): Float64Array {
    return Float64Array.from(this.answers);
  }

  private answer(quality: BlendQuality): void {
    this.answers.push(quality.ndcg, quality.recall, quality.coverage);
    this.asked = this.search.next(quality);
  }
}
