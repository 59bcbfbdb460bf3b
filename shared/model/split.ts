import { fnv1a } from "../util/hash";
import { seededRandom, shuffle } from "../util/random";
import { evidenceMatrix } from "./interactions";
import type { CsrMatrix } from "./sparse";
import type { TrainingData } from "./types";

interface SplitShape {
  /** Share of each listener's distinct items held out. */
  fraction?: number;
  /** Listeners with fewer distinct items stay wholly in training. */
  minItems?: number;
}

export interface HoldoutOptions extends SplitShape {
  seed: number;
}

export interface StableHoldoutOptions extends SplitShape {
  /** Names the split: versions split under the same key hold out the same pairs. */
  key: string;
}

export interface HoldoutSplit {
  train: TrainingData;
  /** Per listener, the held-out items with positive evidence (what a good ranking should surface). */
  heldOut: number[][];
}

const DEFAULT_FRACTION = 0.2;
const DEFAULT_MIN_ITEMS = 5;

/** Holds out a seeded random share of each listener's items; every observation of a held-out pair leaves training. */
export function holdoutSplit(data: TrainingData, options: HoldoutOptions): HoldoutSplit {
  const { train, heldOut } = splitEvidence(evidenceMatrix(data), options);
  return { train: { ...data, interactions: train }, heldOut };
}

/**
 * Holds out a (listener, item) pair when a keyed hash of the two ids falls in the lowest `fraction` of its
 * range, so a pair is held out or not whatever else the data holds: two versions trained on nearly the same
 * data are judged on nearly the same held-out pairs, and can be compared listener by listener. (A seeded
 * shuffle would draw a different split for everyone after the first listener whose items changed.) A
 * listener none of whose pairs falls that low keeps the pair of lowest hash held out, as the random split
 * holds out at least one.
 */
export function stableHoldoutSplit(data: TrainingData, options: StableHoldoutOptions): HoldoutSplit {
  const evidence = evidenceMatrix(data);
  const listenerHash = data.listeners.map((id) => fnv1a(`${options.key}\u0000${id}`));
  const itemHash = Int32Array.from(data.items, (id) => mix32(fnv1a(id)));
  const pairHash = (listener: number, item: number) =>
    mix32((listenerHash[listener]! + Math.imul(itemHash[item]!, 0x9e3779b1)) | 0);
  const threshold = (options.fraction ?? DEFAULT_FRACTION) * 2 ** 32;
  const { train, heldOut } = splitRows(evidence, options, (listener, positions) => {
    const hashes = positions.map((p) => pairHash(listener, evidence.indices[p]!));
    const chosen = positions.filter((_, n) => hashes[n]! < threshold);
    if (chosen.length > 0) return chosen;
    const lowest = hashes.reduce((best, h, n) => (h < hashes[best]! ? n : best), 0);
    return [positions[lowest]!];
  });
  return { train: { ...data, interactions: train }, heldOut };
}

/** murmur3's finaliser: every input bit moves every output bit (FNV-1a alone leaves similar ids close). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** holdoutSplit on an evidence matrix (listener x item, as evidenceMatrix builds): its pairs are the items. */
export function splitEvidence(evidence: CsrMatrix, options: HoldoutOptions): { train: CsrMatrix; heldOut: number[][] } {
  const fraction = options.fraction ?? DEFAULT_FRACTION;
  const random = seededRandom(options.seed);
  return splitRows(evidence, options, (_listener, positions) =>
    shuffle(positions, random).slice(0, Math.max(1, Math.round(positions.length * fraction))),
  );
}

/**
 * The split itself: `choose` picks the positions (into the matrix's entries) of a listener's held-out pairs
 * among theirs, for every listener with at least minItems items; the rest is training.
 */
function splitRows(
  evidence: CsrMatrix,
  options: SplitShape,
  choose: (listener: number, positions: number[]) => number[],
): { train: CsrMatrix; heldOut: number[][] } {
  const minItems = options.minItems ?? DEFAULT_MIN_ITEMS;
  const heldOut: number[][] = [];
  const kept = new Uint8Array(evidence.indices.length).fill(1);
  for (let l = 0; l < evidence.rows; l++) {
    const start = evidence.indptr[l]!,
      end = evidence.indptr[l + 1]!;
    const relevant: number[] = [];
    if (end - start >= minItems) {
      for (const p of choose(
        l,
        Array.from({ length: end - start }, (_, n) => start + n),
      )) {
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
