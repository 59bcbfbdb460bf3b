import { seededRandom } from "../util/random";
import { evidenceMatrix } from "./interactions";
import type { CsrMatrix } from "./sparse";
import type { TrainingData } from "./types";

export interface HoldoutOptions {
  seed: number;
  /** Share of each listener's distinct items held out. */
  fraction?: number;
  /** Listeners with fewer distinct items stay wholly in training. */
  minItems?: number;
}

export interface HoldoutSplit {
  train: TrainingData;
  /** Per listener, the held-out items with positive evidence (what a good ranking should surface). */
  heldOut: number[][];
}

/** Holds out a seeded random share of each listener's items; every observation of a held-out pair leaves training. */
export function holdoutSplit(data: TrainingData, options: HoldoutOptions): HoldoutSplit {
  const { train, heldOut } = splitEvidence(evidenceMatrix(data), options);
  return { train: { ...data, interactions: train }, heldOut };
}

/** holdoutSplit on an evidence matrix (listener x item, as evidenceMatrix builds): its pairs are the items. */
export function splitEvidence(evidence: CsrMatrix, options: HoldoutOptions): { train: CsrMatrix; heldOut: number[][] } {
  const fraction = options.fraction ?? 0.2;
  const minItems = options.minItems ?? 5;
  const random = seededRandom(options.seed);
  const heldOut: number[][] = [];
  const kept = new Uint8Array(evidence.indices.length).fill(1);
  for (let l = 0; l < evidence.rows; l++) {
    const start = evidence.indptr[l]!,
      end = evidence.indptr[l + 1]!;
    const positions = Array.from({ length: end - start }, (_, n) => start + n);
    const relevant: number[] = [];
    if (positions.length >= minItems) {
      for (let n = positions.length - 1; n > 0; n--) {
        const m = Math.floor(random() * (n + 1));
        [positions[n], positions[m]] = [positions[m]!, positions[n]!];
      }
      for (const p of positions.slice(0, Math.max(1, Math.round(positions.length * fraction)))) {
        kept[p] = 0;
        if (evidence.values[p]! > 0) relevant.push(evidence.indices[p]!);
      }
    }
    heldOut.push(relevant.sort((a, b) => a - b));
  }
  const indptr = new Int32Array(evidence.rows + 1);
  let nnz = 0;
  for (let l = 0; l < evidence.rows; l++) {
    for (let p = evidence.indptr[l]!; p < evidence.indptr[l + 1]!; p++) nnz += kept[p]!;
    indptr[l + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let p = 0, q = 0; p < evidence.indices.length; p++) {
    if (kept[p] === 0) continue;
    indices[q] = evidence.indices[p]!;
    values[q++] = evidence.values[p]!;
  }
  return { train: { rows: evidence.rows, cols: evidence.cols, indptr, indices, values }, heldOut };
}
