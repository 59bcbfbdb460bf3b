import { seededRandom } from "../util/random";
import { evaluate, type EvaluationReport } from "./evaluation";
import { modelFrom } from "./model";
import { popularityRecommender } from "./popularity";
import type { CsrMatrix } from "./sparse";
import { holdoutSplit, type HoldoutSplit } from "./split";
import type { TrainingOutcome } from "./trainer";
import type { TrainingData } from "./types";

export interface SyntheticSize {
  listeners: number;
  items: number;
  /** Plays drawn; repeats of a pair add to its weight, so the matrix has somewhat fewer distinct pairs. */
  interactions: number;
  seed: number;
}

/** Latent taste groups: listener l belongs to group l % TASTE_GROUPS. */
export const TASTE_GROUPS = 50;
/** Share of a listener's plays drawn from their own group's items; the rest come from any group. */
const IN_GROUP_SHARE = 0.8;

/** Listener and item ids of synthetic data, in index order. */
export function syntheticIds(
  size: Pick<SyntheticSize, "listeners" | "items">,
): Pick<TrainingData, "listeners" | "items"> {
  return {
    listeners: Array.from({ length: size.listeners }, (_, l) => `l${l}`),
    items: Array.from({ length: size.items }, (_, i) => `i${i}`),
  };
}

/**
 * Listening with structure for a model to find, at any size: listeners belong to taste groups, and each group
 * ranks the items in its own order with Zipf-like popularity. Plays per listener are spread evenly and each
 * play's weight is a heavy-tailed play count. The matrix is drawn row by row, as D1 pages would give it; its
 * arrays are views of buffers sized for every draw, since a compacting copy would be the matrix again.
 */
export function syntheticListening(size: SyntheticSize): TrainingData & { interactions: CsrMatrix } {
  const { listeners, items, interactions, seed } = size;
  const random = seededRandom(seed);
  const groupItems = Array.from({ length: TASTE_GROUPS }, () =>
    Int32Array.from({ length: items }, () => Math.floor(random() * items)),
  );
  const indptr = new Int32Array(listeners + 1);
  const indices = new Int32Array(interactions);
  const values = new Float32Array(interactions);
  const row = new Map<number, number>();
  let nnz = 0;
  for (let l = 0; l < listeners; l++) {
    row.clear();
    const draws = Math.floor(((l + 1) * interactions) / listeners) - Math.floor((l * interactions) / listeners);
    for (let d = 0; d < draws; d++) {
      const group = random() < IN_GROUP_SHARE ? l % TASTE_GROUPS : Math.floor(random() * TASTE_GROUPS);
      const rank = Math.min(items - 1, Math.floor(Math.pow(random(), 2.5) * items));
      const item = groupItems[group]![rank]!;
      row.set(item, (row.get(item) ?? 0) + 1 + Math.floor(-Math.log(1 - random()) * 20));
    }
    for (const item of [...row.keys()].sort((a, b) => a - b)) {
      indices[nnz] = item;
      values[nnz++] = row.get(item)!;
    }
    indptr[l + 1] = nnz;
  }
  return {
    ...syntheticIds(size),
    interactions: {
      rows: listeners,
      cols: items,
      indptr,
      indices: indices.subarray(0, nnz),
      values: values.subarray(0, nnz),
    },
  };
}

/** Held-out listeners a synthetic model is judged on: enough for stable figures, few enough for one job. */
export const JUDGED_LISTENERS = 1000;

/**
 * Synthetic data split by the offline protocol (20% of each listener's items held out), with the held-out
 * items kept for a sample of about JUDGED_LISTENERS listeners only.
 */
export function syntheticSplit(size: SyntheticSize): HoldoutSplit {
  const { train, heldOut } = holdoutSplit(syntheticListening(size), { seed: size.seed });
  const every = Math.max(1, Math.ceil(size.listeners / JUDGED_LISTENERS));
  return { train, heldOut: heldOut.map((items, listener) => (listener % every === 0 ? items : [])) };
}

export interface SyntheticJudgement {
  model: EvaluationReport;
  popularity: EvaluationReport;
}

/**
 * A model trained on syntheticSplit's training part and a popularity baseline, on its held-out sample,
 * training items excluded. Co-occurrence diversity is left out: it would transpose the matrix, a copy of
 * it that a Worker holding the trained model has no room for.
 */
export function judgeSynthetic(outcome: TrainingOutcome, size: SyntheticSize, heldOut: number[][]): SyntheticJudgement {
  const split = { train: { ...syntheticIds(size), interactions: outcome.rows.signed }, heldOut };
  return {
    model: evaluate(modelFrom(outcome), split, { similarity: null }),
    popularity: evaluate(popularityRecommender(split.train), split, { similarity: null }),
  };
}
