import type { Scored } from "./types";

/**
 * Sparse item x item similarity: each item's best neighbours (at most k), best first. Rows come in blocks
 * of `blockRows` (block b holds rows [b * blockRows, (b + 1) * blockRows)), each a CSR of its own sized to
 * what was found: on Last.fm a quarter of 300 fixed slots would be used. Training builds a block per step,
 * so a table never grows by copying, and a block not built yet reads as empty rows.
 */
export interface NeighbourTable {
  blockRows: number;
  blocks: (NeighbourBlock | undefined)[];
}

export interface NeighbourBlock {
  /** One more than the block has rows; row r at [offsets[r], offsets[r + 1]). */
  offsets: Int32Array;
  items: Int32Array;
  scores: Float32Array;
}

/** A block of rows, keeping at most k neighbours per row. */
export function neighbourBlock(rows: readonly Scored[][], k: number): NeighbourBlock {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, r) => (offsets[r + 1] = offsets[r]! + Math.min(row.length, k)));
  const items = new Int32Array(offsets[rows.length]!);
  const scores = new Float32Array(offsets[rows.length]!);
  rows.forEach((row, r) =>
    row.slice(0, k).forEach((n, m) => {
      items[offsets[r]! + m] = n.item;
      scores[offsets[r]! + m] = n.score;
    }),
  );
  return { offsets, items, scores };
}

function rowOf(table: NeighbourTable, item: number): { block: NeighbourBlock; start: number; end: number } | undefined {
  const block = table.blocks[Math.floor(item / table.blockRows)];
  const r = item % table.blockRows;
  if (!block || r + 1 >= block.offsets.length) return undefined;
  return { block, start: block.offsets[r]!, end: block.offsets[r + 1]! };
}

export function neighboursOf(table: NeighbourTable, item: number): Scored[] {
  const row = rowOf(table, item);
  const result: Scored[] = [];
  if (row)
    for (let p = row.start; p < row.end; p++) result.push({ item: row.block.items[p]!, score: row.block.scores[p]! });
  return result;
}

/** Adds weight * similarity(source, j) into scores[j] for every neighbour j of source. */
export function spreadFrom(table: NeighbourTable, source: number, weight: number, scores: Float32Array): void {
  const row = rowOf(table, source);
  if (!row) return;
  const { items, scores: similarity } = row.block;
  for (let p = row.start; p < row.end; p++) scores[items[p]!]! += weight * similarity[p]!;
}
