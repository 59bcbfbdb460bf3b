import { describe, expect, it } from "vitest";
import { neighbourBlock, neighboursOf, spreadFrom, type NeighbourTable } from "./neighbours";

const row = (...items: number[]) => items.map((item, n) => ({ item, score: 1 - n / 4 }));

describe("neighbour tables", () => {
  it("hold rows in blocks, keep at most k per row and read rows of blocks not yet built as empty", () => {
    const table: NeighbourTable = { blockRows: 2, blocks: [neighbourBlock([row(1, 2, 3), row()], 2)] };
    expect(neighboursOf(table, 0)).toEqual(row(1, 2));
    expect(neighboursOf(table, 1)).toEqual([]);
    expect(neighboursOf(table, 3)).toEqual([]);
    table.blocks[1] = neighbourBlock([row(4), row(0, 1)], 2);
    table.blocks[2] = neighbourBlock([row(2)], 2);
    expect([0, 1, 2, 3, 4].map((i) => neighboursOf(table, i).map((n) => n.item))).toEqual([
      [1, 2],
      [],
      [4],
      [0, 1],
      [2],
    ]);
    expect(table.blocks.map((b) => b!.items.length)).toEqual([2, 3, 1]);
  });

  it("spread a source's similarity onto its neighbours", () => {
    const table: NeighbourTable = { blockRows: 3, blocks: [neighbourBlock([row(1, 2), row(), row()], 5)] };
    const scores = new Float32Array(3);
    spreadFrom(table, 0, 2, scores);
    spreadFrom(table, 4, 2, scores);
    expect([...scores]).toEqual([0, 2, 1.5]);
  });
});
