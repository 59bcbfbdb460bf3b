import { solveRows, type AlsOptions, type Factors } from "./als";
import { COMPONENTS } from "./blend";
import { positivePart } from "./interactions";
import type { ListenerKnn, Profile } from "./listenerKnn";
import { spreadFrom, type NeighbourTable } from "./neighbours";
import type { ResolvedOptions } from "./options";
import type { CsrMatrix } from "./sparse";
import type { TopKHeap } from "./topK";

/** What training produces for one data set: item neighbour tables, ALS factors and listener neighbours. */
export interface ModelParts {
  itemKnn: NeighbourTable;
  content: NeighbourTable;
  factors: Factors;
  /** F^T F + regularization * I of the item factors, for folding in new listeners; built on first use. */
  itemGram(): Float64Array;
  /** Every item's ALS score for a listener's factors; made on first use, while the factors no longer change. */
  itemDots(): (listenerFactors: ArrayLike<number>, out: Float32Array) => void;
  /** Absent when the data is too large to hold in both orientations (see Trainer). */
  listenerKnn?: ListenerKnn;
}

/** Listeners' rows of signed confidences (all listeners, or a sample): what is excluded and what profiles hold. */
export class ListenerRows {
  private positivePart: CsrMatrix | undefined;

  constructor(readonly signed: CsrMatrix) {}

  get positive(): CsrMatrix {
    return (this.positivePart ??= positivePart(this.signed));
  }

  profileOf(row: number): Profile {
    const { indptr, indices, values } = this.positive;
    return {
      items: indices.subarray(indptr[row]!, indptr[row + 1]!),
      weights: values.subarray(indptr[row]!, indptr[row + 1]!),
    };
  }

  /**
   * Sets (1) or clears (0) the row's items, liked or rejected, in an item mask: they are never recommended
   * back. A reusable dense mask beats a search per item and per component.
   */
  markSeen(row: number, mask: Uint8Array, value: 0 | 1): void {
    for (let p = this.signed.indptr[row]!; p < this.signed.indptr[row + 1]!; p++) mask[this.signed.indices[p]!] = value;
  }
}

export function alsOptions(options: ResolvedOptions): AlsOptions {
  return {
    factors: options.factors,
    regularization: options.regularization,
    alpha: options.confidenceScale,
    cgSteps: 3,
  };
}

/**
 * One listener's scores from each component (in COMPONENTS order) over every item, with each component's
 * largest score over non-excluded items: the blend scales every component so that score is 1. Scaling is
 * folded into the weights rather than written back, which saves a pass over every item per component.
 */
export class ComponentScores {
  readonly raw: Float32Array[];
  private readonly maxima = new Float64Array(COMPONENTS.length);

  constructor(itemCount: number) {
    this.raw = COMPONENTS.map(() => new Float32Array(itemCount));
  }

  /** Scores a training listener (`self`) or a new one described only by a profile. */
  score(parts: ModelParts, options: ResolvedOptions, profile: Profile, self: number | undefined, excluded: Uint8Array) {
    const [als, itemKnn, listenerKnn, content] = this.raw as [Float32Array, Float32Array, Float32Array, Float32Array];
    // ALS writes every item's score; the other components add into what they touch.
    for (const scores of [itemKnn, listenerKnn, content]) scores.fill(0);
    alsScores(parts, options, profile, self, als);
    for (let n = 0; n < profile.items.length; n++) {
      spreadFrom(parts.itemKnn, profile.items[n]!, profile.weights[n]!, itemKnn);
      spreadFrom(parts.content, profile.items[n]!, profile.weights[n]!, content);
    }
    parts.listenerKnn?.score(profile, self, listenerKnn);
    this.raw.forEach((scores, c) => {
      let max = 0;
      for (let j = 0; j < scores.length; j++) if (scores[j]! > max && excluded[j] === 0) max = scores[j]!;
      this.maxima[c] = max;
    });
  }

  /** Component c's score of an item scaled to unit max (unscaled when the component has nothing positive). */
  scaled(c: number, item: number): number {
    const max = this.maxima[c]!;
    return max > 0 ? this.raw[c]![item]! / max : this.raw[c]![item]!;
  }

  /** Pushes every non-excluded item's blend of the scaled scores, times its damping when given, into `heap`. */
  pushBlended(weights: readonly number[], excluded: Uint8Array, damping: Float32Array | undefined, heap: TopKHeap) {
    const [wa, wb, wc, wd] = weights.map((w, c) => (this.maxima[c]! > 0 ? w / this.maxima[c]! : w)) as [
      number,
      number,
      number,
      number,
    ];
    const [a, b, c, d] = this.raw as [Float32Array, Float32Array, Float32Array, Float32Array];
    let floor = heap.floor();
    for (let j = 0; j < a.length; j++) {
      if (excluded[j] !== 0) continue;
      const blended = wa * a[j]! + wb * b[j]! + wc * c[j]! + wd * d[j]!;
      const score = damping ? blended * damping[j]! : blended;
      if (score > floor) {
        heap.push(j, score);
        floor = heap.floor();
      }
    }
  }
}

function alsScores(
  parts: ModelParts,
  options: ResolvedOptions,
  profile: Profile,
  self: number | undefined,
  scores: Float32Array,
): void {
  const f = options.factors;
  const listenerVector =
    self === undefined ? foldIn(parts, options, profile) : parts.factors.listener.subarray(self * f, (self + 1) * f);
  parts.itemDots()(listenerVector, scores);
}

/** Factors of a listener known only by a profile: the ALS least-squares solve against the item factors. */
function foldIn(parts: ModelParts, options: ResolvedOptions, profile: Profile): Float32Array {
  const row: CsrMatrix = {
    rows: 1,
    cols: parts.factors.item.length / options.factors,
    indptr: Int32Array.of(0, profile.items.length),
    indices: Int32Array.from(profile.items),
    values: Float32Array.from(profile.weights),
  };
  const solved = new Float32Array(options.factors);
  // Enough CG steps for an exact solve from zero: a new listener has no previous iterate.
  solveRows(
    solved,
    parts.factors.item,
    parts.itemGram(),
    row,
    { ...alsOptions(options), cgSteps: options.factors },
    0,
    1,
  );
  return solved;
}
