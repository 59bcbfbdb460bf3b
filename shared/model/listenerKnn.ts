import type { CsrMatrix } from "./sparse";
import { TopKHeap } from "./topK";

/** A set of items with confidences: a training listener's row, or the seed items of a new listener. */
export interface Profile {
  items: ArrayLike<number>;
  weights: ArrayLike<number>;
}

/**
 * Listener-based neighbours, computed on demand (no trained state): cosine between confidence rows, where a
 * shared item counts less the more popular it is (sharing a niche artist says more than sharing a hit);
 * then the k most similar listeners vote for their items.
 */
export class ListenerKnn {
  private readonly byItem: CsrMatrix;
  private readonly norms: Float64Array;
  private readonly itemDiscount: Float64Array;
  private readonly similarity: Float64Array;
  private readonly heap: TopKHeap;

  constructor(
    private readonly byListener: CsrMatrix,
    byItem: CsrMatrix,
    neighbours: number,
  ) {
    this.byItem = byItem;
    this.norms = new Float64Array(byListener.rows);
    for (let u = 0; u < byListener.rows; u++) {
      for (let p = byListener.indptr[u]!; p < byListener.indptr[u + 1]!; p++)
        this.norms[u]! += byListener.values[p]! ** 2;
    }
    this.itemDiscount = new Float64Array(byItem.rows);
    for (let i = 0; i < byItem.rows; i++)
      this.itemDiscount[i] = 1 / Math.log(2 + byItem.indptr[i + 1]! - byItem.indptr[i]!);
    this.similarity = new Float64Array(byListener.rows);
    this.heap = new TopKHeap(neighbours);
  }

  /** Adds the neighbours' votes into `scores`; `self` (a training listener) is not its own neighbour. */
  score(profile: Profile, self: number | undefined, scores: Float32Array): void {
    const { byListener, byItem, similarity, heap } = this;
    similarity.fill(0);
    let profileNorm = 0;
    for (let n = 0; n < profile.items.length; n++) {
      const i = profile.items[n]!,
        w = profile.weights[n]! * this.itemDiscount[i]!;
      profileNorm += profile.weights[n]! ** 2;
      for (let q = byItem.indptr[i]!; q < byItem.indptr[i + 1]!; q++)
        similarity[byItem.indices[q]!]! += w * byItem.values[q]!;
    }
    for (let v = 0; v < similarity.length; v++) {
      if (similarity[v]! > 0 && v !== self) heap.push(v, similarity[v]! / Math.sqrt(profileNorm * this.norms[v]!));
    }
    for (const { item: v, score } of heap.drain()) {
      for (let q = byListener.indptr[v]!; q < byListener.indptr[v + 1]!; q++)
        scores[byListener.indices[q]!]! += score * byListener.values[q]!;
    }
  }
}
