import type { Scored } from "./types";

/**
 * Keeps the k best (index, score) pairs pushed into it. Ties go to the lower index so that results repeat
 * exactly whatever the push order. A bounded min-heap: O(log k) per push, reusable after `clear()`.
 */
export class TopKHeap {
  readonly k: number;
  private readonly indices: Int32Array;
  private readonly scores: Float64Array;
  size = 0;

  constructor(k: number) {
    this.k = Math.max(0, Math.floor(k));
    this.indices = new Int32Array(this.k);
    this.scores = new Float64Array(this.k);
  }

  clear(): void {
    this.size = 0;
  }

  push(index: number, score: number): void {
    if (this.size < this.k) {
      this.indices[this.size] = index;
      this.scores[this.size] = score;
      this.siftUp(this.size++);
    } else if (this.size > 0 && this.isWorse(0, index, score)) {
      this.indices[0] = index;
      this.scores[0] = score;
      this.siftDown(0);
    }
  }

  /**
   * The score a push must beat to be kept, once the heap is full (-Infinity before). A caller pushing
   * indices in increasing order may skip any score not above it: on a tie the lower index stays.
   */
  floor(): number {
    return this.size < this.k ? -Infinity : this.scores[0]!;
  }

  /** The kept pairs, best first; empties the heap. */
  drain(): Scored[] {
    const result: Scored[] = [];
    for (let p = 0; p < this.size; p++) result.push({ item: this.indices[p]!, score: this.scores[p]! });
    this.size = 0;
    return result.sort((a, b) => b.score - a.score || a.item - b.item);
  }

  /** Visits the kept pairs in no particular order and empties the heap; cheaper than drain() when order does not matter. */
  takeEach(visit: (index: number, score: number) => void): void {
    for (let p = 0; p < this.size; p++) visit(this.indices[p]!, this.scores[p]!);
    this.size = 0;
  }

  /** Whether the entry at heap position p ranks below (index, score). */
  private isWorse(p: number, index: number, score: number): boolean {
    const s = this.scores[p]!;
    return s < score || (s === score && this.indices[p]! > index);
  }

  private siftUp(start: number): void {
    let c = start;
    while (c > 0) {
      const parent = (c - 1) >> 1;
      // The worst entry rises to the root, where the next push compares against it.
      if (!this.isWorse(c, this.indices[parent]!, this.scores[parent]!)) return;
      this.swap(c, parent);
      c = parent;
    }
  }

  private siftDown(start: number): void {
    let p = start;
    for (;;) {
      const l = 2 * p + 1,
        r = l + 1;
      let w = p;
      if (l < this.size && this.isWorse(l, this.indices[w]!, this.scores[w]!)) w = l;
      if (r < this.size && this.isWorse(r, this.indices[w]!, this.scores[w]!)) w = r;
      if (w === p) return;
      this.swap(p, w);
      p = w;
    }
  }

  private swap(a: number, b: number): void {
    const i = this.indices[a]!,
      s = this.scores[a]!;
    this.indices[a] = this.indices[b]!;
    this.scores[a] = this.scores[b]!;
    this.indices[b] = i;
    this.scores[b] = s;
  }
}

/** The k best entries of a dense score array, best first, skipping excluded indices and non-finite scores. */
export function topK(scores: ArrayLike<number>, k: number, isExcluded?: (index: number) => boolean): Scored[] {
  const heap = new TopKHeap(k);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (Number.isFinite(s) && !(isExcluded && isExcluded(i))) heap.push(i, s);
  }
  return heap.drain();
}
