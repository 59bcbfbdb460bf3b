import { solveRows, type AlsOptions, type Factors } from "./als";
import { COMPONENTS, scaleToUnitMax } from "./blend";
import { evidenceMatrix, positivePart, signedConfidence } from "./interactions";
import { knnInputs, type KnnInputs } from "./itemKnn";
import { ListenerKnn, type Profile } from "./listenerKnn";
import { spreadFrom, type NeighbourTable } from "./neighbours";
import type { ResolvedOptions } from "./options";
import { transpose, type CsrMatrix } from "./sparse";
import type { TrainingData } from "./types";

/** What training produces for one data set: item neighbour tables and ALS factors. */
export interface ModelParts {
  itemKnn: NeighbourTable;
  content: NeighbourTable;
  factors: Factors;
  /** F^T F + regularization * I of the item factors, for folding in new listeners. */
  itemGram: Float64Array;
}

/** Matrices derived from one TrainingData, rebuilt (deterministically) rather than snapshotted. */
export class Workspace {
  readonly evidence: CsrMatrix;
  readonly signed: CsrMatrix;
  readonly signedByItem: CsrMatrix;
  readonly positive: CsrMatrix;
  readonly knn: KnnInputs;
  readonly listenerKnn: ListenerKnn;
  readonly alsOptions: AlsOptions;

  constructor(
    readonly data: TrainingData,
    readonly options: ResolvedOptions,
  ) {
    this.evidence = evidenceMatrix(data);
    this.signed = signedConfidence(this.evidence);
    this.signedByItem = transpose(this.signed);
    this.positive = positivePart(this.signed);
    this.knn = knnInputs(this.positive);
    this.listenerKnn = new ListenerKnn(this.positive, transpose(this.positive), options.listenerNeighbours);
    this.alsOptions = {
      factors: options.factors,
      regularization: options.regularization,
      alpha: options.confidenceScale,
      cgSteps: 3,
    };
  }

  get itemCount(): number {
    return this.data.items.length;
  }

  profileOf(listener: number): Profile {
    const start = this.positive.indptr[listener]!,
      end = this.positive.indptr[listener + 1]!;
    return { items: this.positive.indices.subarray(start, end), weights: this.positive.values.subarray(start, end) };
  }

  /**
   * Sets (1) or clears (0) the listener's own items, liked or rejected, in an item mask: they are never
   * recommended back. A reusable dense mask beats a search per item and per component.
   */
  markSeen(listener: number, mask: Uint8Array, value: 0 | 1): void {
    for (let p = this.evidence.indptr[listener]!; p < this.evidence.indptr[listener + 1]!; p++)
      mask[this.evidence.indices[p]!] = value;
  }

  /**
   * Fills one score array per component (in COMPONENTS order) for a training listener (`self`) or a new
   * one described only by a profile, each scaled to unit max over non-excluded items.
   */
  scoreComponents(
    parts: ModelParts,
    profile: Profile,
    self: number | undefined,
    excluded: Uint8Array,
    out: Float32Array[],
  ): void {
    for (const scores of out) scores.fill(0);
    const [als, itemKnn, listenerKnn, content] = out as [Float32Array, Float32Array, Float32Array, Float32Array];
    this.alsScores(parts, profile, self, als);
    for (let n = 0; n < profile.items.length; n++) {
      spreadFrom(parts.itemKnn, profile.items[n]!, profile.weights[n]!, itemKnn);
      spreadFrom(parts.content, profile.items[n]!, profile.weights[n]!, content);
    }
    this.listenerKnn.score(profile, self, listenerKnn);
    for (let c = 0; c < COMPONENTS.length; c++) scaleToUnitMax(out[c]!, excluded);
  }

  private alsScores(parts: ModelParts, profile: Profile, self: number | undefined, scores: Float32Array): void {
    const f = this.options.factors;
    const listenerVector =
      self === undefined ? this.foldIn(parts, profile) : parts.factors.listener.subarray(self * f, (self + 1) * f);
    const items = parts.factors.item;
    for (let j = 0; j < this.itemCount; j++) {
      let sum = 0;
      for (let a = 0, base = j * f; a < f; a++) sum += listenerVector[a]! * items[base + a]!;
      scores[j] = sum;
    }
  }

  /** Factors of a listener known only by a profile: the ALS least-squares solve against the item factors. */
  private foldIn(parts: ModelParts, profile: Profile): Float32Array {
    const row: CsrMatrix = {
      rows: 1,
      cols: this.itemCount,
      indptr: Int32Array.of(0, profile.items.length),
      indices: Int32Array.from(profile.items),
      values: Float32Array.from(profile.weights),
    };
    const solved = new Float32Array(this.options.factors);
    // Enough CG steps for an exact solve from zero: a new listener has no previous iterate.
    solveRows(
      solved,
      parts.factors.item,
      parts.itemGram,
      row,
      { ...this.alsOptions, cgSteps: this.options.factors },
      0,
      1,
    );
    return solved;
  }
}
