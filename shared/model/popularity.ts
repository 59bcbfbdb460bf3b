import { evidenceMatrix } from "./interactions";
import type { CsrMatrix } from "./sparse";
import { topK } from "./topK";
import type { Scored, TrainingData } from "./types";

/** Number of listeners with positive evidence for each item. */
export function listenerCounts(evidence: CsrMatrix): Float64Array {
  const counts = new Float64Array(evidence.cols);
  for (let p = 0; p < evidence.indices.length; p++) if (evidence.values[p]! > 0) counts[evidence.indices[p]!]!++;
  return counts;
}

/** Whether `item` is in the listener's row of a CSR matrix (rows are sorted, so binary search). */
function rowHas(m: CsrMatrix, row: number, item: number): boolean {
  let lo = m.indptr[row]!,
    hi = m.indptr[row + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1,
      value = m.indices[mid]!;
    if (value === item) return true;
    if (value < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Baseline: the most popular items the listener has not met yet. */
export function popularityRecommender(data: TrainingData): { recommend(listener: number, k: number): Scored[] } {
  const evidence = evidenceMatrix(data);
  const counts = listenerCounts(evidence);
  return { recommend: (listener, k) => topK(counts, k, (item) => rowHas(evidence, listener, item)) };
}
