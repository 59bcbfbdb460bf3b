import type { Scored } from "./types";

/**
 * Sparse item x item similarity: for each item its k best neighbours, best first, in fixed-stride typed
 * arrays (slot i*k + n; item -1 marks an empty slot). Fixed stride lets blocks of rows be filled in separate
 * steps and the whole table be snapshotted as two arrays: 17,632 items x 100 neighbours is 14 MB.
 */
export interface NeighbourTable {
  k: number;
  items: Int32Array;
  scores: Float32Array;
}

export function emptyNeighbourTable(itemCount: number, k: number): NeighbourTable {
  return { k, items: new Int32Array(itemCount * k).fill(-1), scores: new Float32Array(itemCount * k) };
}

export function setNeighbours(table: NeighbourTable, item: number, neighbours: Scored[]): void {
  const base = item * table.k;
  neighbours.slice(0, table.k).forEach((n, slot) => {
    table.items[base + slot] = n.item;
    table.scores[base + slot] = n.score;
  });
}

export function neighboursOf(table: NeighbourTable, item: number): Scored[] {
  const result: Scored[] = [];
  for (let p = item * table.k, end = p + table.k; p < end && table.items[p]! >= 0; p++) {
    result.push({ item: table.items[p]!, score: table.scores[p]! });
  }
  return result;
}

/** Adds weight * similarity(source, j) into scores[j] for every neighbour j of source. */
export function spreadFrom(table: NeighbourTable, source: number, weight: number, scores: Float32Array): void {
  for (let p = source * table.k, end = p + table.k; p < end; p++) {
    const j = table.items[p]!;
    if (j < 0) return;
    scores[j]! += weight * table.scores[p]!;
  }
}
