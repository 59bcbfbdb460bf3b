import { finish, Pacer, type Sliced } from "../util/sliced";
import type { CsrMatrix } from "./sparse";
import { TopKHeap } from "./topK";
import type { ItemContent, Scored } from "./types";

/**
 * Item content as unit-length sparse vectors (item x dimension CSR), so content similarity is a dot product:
 * - tags: tf-idf with log-scaled term frequency (a tag applied by many listeners counts more, one applied
 *   to half the catalogue hardly at all);
 * - numeric features: standardised per dimension (tempo in BPM would otherwise drown 0..1 scores).
 * An item with both gets the two parts at equal weight. Items without content get an empty row.
 * `isHidden(listener, item)` drops tags a listener applied to an item (see ItemContent.taggedBy).
 */
export function contentVectors(
  content: readonly (ItemContent | undefined)[],
  isHidden?: (listener: number, item: number) => boolean,
): CsrMatrix {
  return finish(contentVectorsInSlices(content, isHidden));
}

/** Items between two pauses of contentVectorsInSlices: a few milliseconds of work. */
const ITEMS_BETWEEN_PAUSES = 2_000;

/** contentVectors, pausing every ITEMS_BETWEEN_PAUSES items of each pass (see Sliced). */
export function* contentVectorsInSlices(
  content: readonly (ItemContent | undefined)[],
  isHidden: (listener: number, item: number) => boolean = () => false,
): Sliced<CsrMatrix> {
  const vocabulary = new Map<string, number>();
  const documentFrequency: number[] = [];
  const tagCounts: Map<number, number>[] = [];
  for (const [item, c] of content.entries()) {
    if (item > 0 && item % ITEMS_BETWEEN_PAUSES === 0) yield;
    const counts = new Map<number, number>();
    for (const [n, tag] of (c?.tags ?? []).entries()) {
      const tagger = c?.taggedBy?.[n] ?? -1;
      if (tagger >= 0 && isHidden(tagger, item)) continue;
      let d = vocabulary.get(tag);
      if (d === undefined) {
        vocabulary.set(tag, (d = vocabulary.size));
        documentFrequency.push(0);
      }
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    for (const d of counts.keys()) documentFrequency[d]!++;
    tagCounts.push(counts);
  }
  yield;
  const tagged = tagCounts.filter((c) => c.size > 0).length;
  // A loop, not Math.max(...): a spread of a million items' lengths overflows the call stack.
  const featureDims = content.reduce((most, c) => Math.max(most, c?.features?.length ?? 0), 0);
  const { mean, scale } = featureMoments(content, featureDims);

  const indptr = new Int32Array(content.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (const [i, c] of content.entries()) {
    if (i % ITEMS_BETWEEN_PAUSES === 0) yield;
    const tagPart = [...tagCounts[i]!]
      .sort((a, b) => a[0] - b[0])
      .map(([d, n]) => [d, Math.log1p(n) * Math.log((1 + tagged) / documentFrequency[d]!)] as const);
    const features = c?.features?.length === featureDims ? c.features : undefined;
    const featurePart = features
      ? features.map((x, d) => [vocabulary.size + d, (x - mean[d]!) * scale[d]!] as const)
      : [];
    const parts = [tagPart, featurePart].filter((part) => part.some(([, v]) => v !== 0));
    for (const part of parts) {
      const norm = Math.sqrt(part.reduce((sum, [, v]) => sum + v * v, 0) * parts.length);
      for (const [d, v] of part) {
        indices.push(d);
        values.push(v / norm);
      }
    }
    indptr[i + 1] = indices.length;
  }
  return {
    rows: content.length,
    cols: vocabulary.size + featureDims,
    indptr,
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  };
}

function featureMoments(content: readonly (ItemContent | undefined)[], dims: number) {
  const rows = content.flatMap((c) => (c?.features?.length === dims && dims > 0 ? [c.features] : []));
  const mean = Array.from({ length: dims }, (_, d) => rows.reduce((s, r) => s + r[d]!, 0) / Math.max(rows.length, 1));
  // A dimension that is the same for every item (neutral features for a catalogue without audio analysis)
  // says nothing. Its deviation is rounding noise, which standardising would blow up into a dense random
  // feature part: every item a content neighbour of every other, at quadratic cost.
  const scale = mean.map((m, d) => {
    const deviation = Math.sqrt(rows.reduce((s, r) => s + (r[d]! - m) ** 2, 0) / Math.max(rows.length, 1));
    return deviation > 1e-9 * Math.max(1, Math.abs(m)) ? 1 / deviation : 0;
  });
  return { mean, scale };
}

export function cosine(vectors: CsrMatrix, a: number, b: number): number {
  let p = vectors.indptr[a]!,
    q = vectors.indptr[b]!,
    sum = 0;
  const pEnd = vectors.indptr[a + 1]!,
    qEnd = vectors.indptr[b + 1]!;
  while (p < pEnd && q < qEnd) {
    const da = vectors.indices[p]!,
      db = vectors.indices[q]!;
    if (da === db) sum += vectors.values[p++]! * vectors.values[q++]!;
    else if (da < db) p++;
    else q++;
  }
  return sum;
}

/**
 * The multiply-adds contentNeighbourRows makes over all items: every pair of items that share a dimension,
 * once for each dimension they share. Quadratic in the items a dense dimension (an audio feature) holds.
 */
export function exactNeighbourWork(vectors: CsrMatrix): number {
  const perDimension = new Float64Array(vectors.cols);
  for (let p = 0; p < vectors.indptr[vectors.rows]!; p++) perDimension[vectors.indices[p]!]!++;
  return perDimension.reduce((sum, n) => sum + n * n, 0);
}

/**
 * Content neighbours of items [from, to), found through the dimension -> items inverted index; pausing
 * every `pauseWork` units of work (see Pacer).
 */
export function* contentNeighbourRows(
  vectors: CsrMatrix,
  byDimension: CsrMatrix,
  k: number,
  from: number,
  to: number,
  pauseWork = Infinity,
): Sliced<Scored[][]> {
  const pacer = new Pacer(pauseWork);
  const accumulated = new Float64Array(vectors.rows);
  const touched = new Int32Array(vectors.rows);
  // Stamped with i + 1 when j is first met for row i: feature products can cancel to an exact 0.
  const seenFor = new Int32Array(vectors.rows);
  const heap = new TopKHeap(k);
  const rows: Scored[][] = [];
  for (let i = from; i < to; i++) {
    let touchedCount = 0;
    for (let p = vectors.indptr[i]!; p < vectors.indptr[i + 1]!; p++) {
      const d = vectors.indices[p]!,
        v = vectors.values[p]!;
      if (pacer.due((byDimension.indptr[d + 1]! - byDimension.indptr[d]!) * 3)) yield;
      for (let q = byDimension.indptr[d]!; q < byDimension.indptr[d + 1]!; q++) {
        const j = byDimension.indices[q]!;
        if (j === i) continue;
        if (seenFor[j] !== i + 1) {
          seenFor[j] = i + 1;
          touched[touchedCount++] = j;
        }
        accumulated[j]! += v * byDimension.values[q]!;
      }
    }
    for (let t = 0; t < touchedCount; t++) {
      const j = touched[t]!;
      if (accumulated[j]! > 0) heap.push(j, accumulated[j]!);
      accumulated[j] = 0;
    }
    rows.push(heap.drain());
    if (pacer.due(touchedCount * 30)) yield;
  }
  return rows;
}
