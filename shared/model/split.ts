import { seededRandom } from "../util/random";
import { evidenceMatrix, interactionColumns } from "./interactions";
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
  const fraction = options.fraction ?? 0.2;
  const minItems = options.minItems ?? 5;
  const random = seededRandom(options.seed);
  const evidence = evidenceMatrix(data);
  const heldOut: number[][] = [];
  const heldOutPairs = new Set<number>();
  const pairKey = (listener: number, item: number) => listener * data.items.length + item;
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
        heldOutPairs.add(pairKey(l, evidence.indices[p]!));
        if (evidence.values[p]! > 0) relevant.push(evidence.indices[p]!);
      }
    }
    heldOut.push(relevant.sort((a, b) => a - b));
  }
  const all = interactionColumns(data);
  const keep: number[] = [];
  for (let e = 0; e < all.listener.length; e++)
    if (!heldOutPairs.has(pairKey(all.listener[e]!, all.item[e]!))) keep.push(e);
  const interactions = {
    listener: Int32Array.from(keep, (e) => all.listener[e]!),
    item: Int32Array.from(keep, (e) => all.item[e]!),
    weight: Float32Array.from(keep, (e) => all.weight[e]!),
  };
  return { train: { ...data, interactions }, heldOut };
}
