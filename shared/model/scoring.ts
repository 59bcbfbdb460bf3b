import { solveRows, type AlsOptions, type Factors } from "./als";
import { COMPONENTS, scaleToUnitMax } from "./blend";
import { positivePart } from "./interactions";
import type { ListenerKnn, Profile } from "./listenerKnn";
import { spreadFrom, type NeighbourTable } from "./neighbours";
import type { ResolvedOptions } from "./options";
import type { CsrMatrix } from "./sparse";

/** What training produces for one data set: item neighbour tables, ALS factors and listener neighbours. */
export interface ModelParts {
  itemKnn: NeighbourTable;
  content: NeighbourTable;
  factors: Factors;
  /** F^T F + regularization * I of the item factors, for folding in new listeners; built on first use. */
  itemGram(): Float64Array;
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

/** A training listener to score: its index and its ALS scores (from TrainingListenerAls). */
export interface TrainingListener {
  listener: number;
  als: Float32Array;
}

/**
 * Fills one score array per component (in COMPONENTS order) for a training listener or a new one described
 * only by a profile (`self` undefined), each scaled to unit max over non-excluded items.
 */
export function scoreComponents(
  parts: ModelParts,
  options: ResolvedOptions,
  profile: Profile,
  self: TrainingListener | undefined,
  excluded: Uint8Array,
  out: Float32Array[],
): void {
  for (const scores of out) scores.fill(0);
  const [als, itemKnn, listenerKnn, content] = out as [Float32Array, Float32Array, Float32Array, Float32Array];
  if (self) als.set(self.als);
  else dotWithItems(parts.factors.item, options.factors, [foldIn(parts, options, profile)], [als]);
  for (let n = 0; n < profile.items.length; n++) {
    spreadFrom(parts.itemKnn, profile.items[n]!, profile.weights[n]!, itemKnn);
    spreadFrom(parts.content, profile.items[n]!, profile.weights[n]!, content);
  }
  parts.listenerKnn?.score(profile, self?.listener, listenerKnn);
  for (let c = 0; c < COMPONENTS.length; c++) scaleToUnitMax(out[c]!, excluded);
}

/** Listeners whose ALS scores are computed together: each item's factors are then read once for all of them. */
const ALS_BLOCK = 4;

/**
 * ALS scores of every item for training listeners taken in order (`listenerAt(0)`, `listenerAt(1)`, ...).
 * Asking for the n-th computes the next ALS_BLOCK at once, which halves the cost of the largest part of
 * scoring a listener; each listener's sums are the same, term by term, as one at a time.
 */
export class TrainingListenerAls {
  private readonly block: Float32Array[];
  private first = -1;
  private size = 0;

  constructor(
    private readonly factors: Factors,
    private readonly f: number,
    private readonly count: number,
    private readonly listenerAt: (n: number) => number,
  ) {
    const items = factors.item.length / f;
    this.block = Array.from({ length: ALS_BLOCK }, () => new Float32Array(items));
  }

  of(n: number): TrainingListener {
    if (n < this.first || n >= this.first + this.size) {
      this.first = n;
      this.size = Math.min(ALS_BLOCK, this.count - n);
      const vectors = Array.from({ length: this.size }, (_, m) => {
        const l = this.listenerAt(n + m);
        return this.factors.listener.subarray(l * this.f, (l + 1) * this.f);
      });
      dotWithItems(this.factors.item, this.f, vectors, this.block.slice(0, this.size));
    }
    return { listener: this.listenerAt(n), als: this.block[n - this.first]! };
  }
}

/** out[m][j] = vectors[m] . item j, for up to ALS_BLOCK vectors in one pass over the item factors. */
function dotWithItems(items: Float32Array, f: number, vectors: Float32Array[], out: Float32Array[]): void {
  // Missing vectors repeat the first into a scratch row, so the loop below is always four wide.
  const scratch = vectors.length < ALS_BLOCK ? new Float32Array(out[0]!.length) : undefined;
  const [v0, v1 = vectors[0]!, v2 = vectors[0]!, v3 = vectors[0]!] = vectors;
  const [o0, o1 = scratch!, o2 = scratch!, o3 = scratch!] = out;
  for (let j = 0, n = o0!.length; j < n; j++) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let a = 0, base = j * f; a < f; a++) {
      const y = items[base + a]!;
      s0 += v0![a]! * y;
      s1 += v1[a]! * y;
      s2 += v2[a]! * y;
      s3 += v3[a]! * y;
    }
    o0![j] = s0;
    o1[j] = s1;
    o2[j] = s2;
    o3[j] = s3;
  }
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
