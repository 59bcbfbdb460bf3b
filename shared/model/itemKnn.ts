import { Pacer, type Sliced } from "../util/sliced";
import { columnBlock, type CsrMatrix } from "./sparse";
import { TopKHeap } from "./topK";
import type { Scored } from "./types";

export interface KnnOptions {
  /** Neighbours kept per item. */
  neighbours: number;
  /** 0.5 is cosine; higher values discount the source item's own norm more (asymmetric cosine). */
  asymmetry: number;
  /** Divides similarity by popularity(target)^this, so popular items stop being everybody's neighbour. */
  popularityPenalty: number;
}

export interface KnnInputs {
  /** Positive confidences by listener, unweighted: the weighted copy would be 20 MB at 5,000,000 entries. */
  byListener: CsrMatrix;
  listenerWeights: Float64Array;
  squaredNorms: Float64Array;
  popularity: Float64Array;
}

/**
 * Listener rows are reweighted before co-occurrence is counted: a listener with many items says less
 * about each pair (inverse listener frequency, as tf-idf does for long documents). Neutral on Last.fm,
 * where every listener has about 50 artists; it matters where a few listeners have thousands of items.
 * A weighted entry is rounded as a Float32Array would hold it, wherever it is used.
 */
export function knnInputs(positive: CsrMatrix): KnnInputs {
  const listenerWeights = new Float64Array(positive.rows);
  const squaredNorms = new Float64Array(positive.cols);
  const popularity = new Float64Array(positive.cols);
  for (let u = 0; u < positive.rows; u++) {
    const start = positive.indptr[u]!,
      end = positive.indptr[u + 1]!;
    const weight = (listenerWeights[u] = 1 / Math.sqrt(Math.log(2 + end - start)));
    for (let p = start; p < end; p++) {
      const i = positive.indices[p]!;
      squaredNorms[i]! += Math.fround(positive.values[p]! * weight) ** 2;
      popularity[i]!++;
    }
  }
  return { byListener: positive, listenerWeights, squaredNorms, popularity };
}

/**
 * Neighbour rows of items [from, to); rows are independent, so blocks can run in separate steps. Pauses
 * every `pauseWork` units of work (see Pacer).
 */
export function* knnNeighbourRows(
  inputs: KnnInputs,
  options: KnnOptions,
  from: number,
  to: number,
  pauseWork = Infinity,
): Sliced<Scored[][]> {
  const { byListener, listenerWeights, squaredNorms, popularity } = inputs;
  const pacer = new Pacer(pauseWork);
  const byItem = columnBlock(byListener, from, to);
  const itemCount = byListener.cols;
  const accumulated = new Float64Array(itemCount);
  const touched = new Int32Array(itemCount);
  const heap = new TopKHeap(options.neighbours);
  const rows: Scored[][] = [];
  const targetNorm = new Float64Array(itemCount);
  for (let j = 0; j < itemCount; j++) {
    targetNorm[j] =
      Math.pow(squaredNorms[j]!, 1 - options.asymmetry) * Math.pow(popularity[j]! + 1, options.popularityPenalty);
  }
  if (pacer.due(byListener.indices.length * 2 + itemCount * 40)) yield;
  for (let i = from; i < to; i++) {
    let touchedCount = 0;
    for (let p = byItem.indptr[i - from]!; p < byItem.indptr[i - from + 1]!; p++) {
      const u = byItem.indices[p]!,
        weight = listenerWeights[u]!,
        wi = Math.fround(byItem.values[p]! * weight);
      if (pacer.due((byListener.indptr[u + 1]! - byListener.indptr[u]!) * 8)) yield;
      for (let q = byListener.indptr[u]!; q < byListener.indptr[u + 1]!; q++) {
        const j = byListener.indices[q]!;
        if (j === i) continue;
        if (accumulated[j] === 0) touched[touchedCount++] = j;
        accumulated[j]! += wi * Math.fround(byListener.values[q]! * weight);
      }
    }
    const sourceNorm = Math.pow(squaredNorms[i]!, options.asymmetry);
    for (let t = 0; t < touchedCount; t++) {
      const j = touched[t]!;
      heap.push(j, accumulated[j]! / (sourceNorm * targetNorm[j]!));
      accumulated[j] = 0;
    }
    rows.push(heap.drain());
    if (pacer.due(touchedCount * 60 + options.neighbours * 20)) yield;
  }
  return rows;
}
