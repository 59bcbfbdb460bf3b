import type { Scored } from "./types";

/**
 * Sparse item x item similarity: each item's best neighbours (at most k), best first, as the rows of a
 * CSR table, row i at [offsets[i], offsets[i + 1]). Rows hold only what was found: on Last.fm a quarter
 * of 300 fixed slots would be used. Training appends rows in item order, a block per step, so a table
 * under construction is a valid table whose later rows are still empty.
 */
export interface NeighbourTable {
  k: number;
  /** One more than there are items; the last is the number of neighbours held. */
  offsets: Int32Array;
  /** May run past the last offset: spare room for the next block of rows. */
  items: Int32Array;
  scores: Float32Array;
}

export function emptyNeighbourTable(itemCount: number, k: number): NeighbourTable {
  return { k, offsets: new Int32Array(itemCount + 1), items: new Int32Array(0), scores: new Float32Array(0) };
}

/** Sets the rows of items [from, from + rows.length), which must follow the rows built so far. */
export function appendNeighbourRows(table: NeighbourTable, from: number, rows: readonly Scored[][]): NeighbourTable {
  const { offsets } = table;
  let { items, scores } = table;
  let used = offsets[from]!;
  const needed = used + rows.reduce((n, row) => n + Math.min(row.length, table.k), 0);
  if (needed > items.length) {
    const capacity = Math.max(needed, Math.ceil(items.length * 1.5));
    items = grow(items, new Int32Array(capacity), used);
    scores = grow(scores, new Float32Array(capacity), used);
  }
  rows.forEach((row, r) => {
    for (const n of row.slice(0, table.k)) {
      items[used] = n.item;
      scores[used++] = n.score;
    }
    offsets[from + r + 1] = used;
  });
  offsets.fill(used, from + rows.length + 1);
  return { k: table.k, offsets, items, scores };
}

/** The table without spare room, for storing. */
export function trimNeighbourTable(table: NeighbourTable): NeighbourTable {
  const used = table.offsets[table.offsets.length - 1]!;
  return { ...table, items: table.items.subarray(0, used), scores: table.scores.subarray(0, used) };
}

function grow<T extends Int32Array | Float32Array>(from: T, to: T, length: number): T {
  to.set(from.subarray(0, length));
  return to;
}

export function neighboursOf(table: NeighbourTable, item: number): Scored[] {
  const result: Scored[] = [];
  for (let p = table.offsets[item]!, end = table.offsets[item + 1]!; p < end; p++) {
    result.push({ item: table.items[p]!, score: table.scores[p]! });
  }
  return result;
}

/** Adds weight * similarity(source, j) into scores[j] for every neighbour j of source. */
export function spreadFrom(table: NeighbourTable, source: number, weight: number, scores: Float32Array): void {
  for (let p = table.offsets[source]!, end = table.offsets[source + 1]!; p < end; p++) {
    scores[table.items[p]!]! += weight * table.scores[p]!;
  }
}
