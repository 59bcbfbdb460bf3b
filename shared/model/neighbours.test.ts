import { describe, expect, it } from "vitest";
import { appendNeighbourRows, emptyNeighbourTable, neighboursOf, spreadFrom, trimNeighbourTable } from "./neighbours";

const row = (...items: number[]) => items.map((item, n) => ({ item, score: 1 - n / 4 }));

describe("neighbour tables", () => {
  it("take rows block by block, keep at most k per row and leave rows not yet built empty", () => {
    let table = emptyNeighbourTable(5, 2);
    table = appendNeighbourRows(table, 0, [row(1, 2, 3), row()]);
    expect(neighboursOf(table, 0)).toEqual(row(1, 2));
    expect(neighboursOf(table, 1)).toEqual([]);
    expect(neighboursOf(table, 3)).toEqual([]);
    table = appendNeighbourRows(table, 2, [row(4), row(0, 1), row(2)]);
    expect([0, 1, 2, 3, 4].map((i) => neighboursOf(table, i).map((n) => n.item))).toEqual([
      [1, 2],
      [],
      [4],
      [0, 1],
      [2],
    ]);
    expect(trimNeighbourTable(table).items).toEqual(Int32Array.of(1, 2, 4, 0, 1, 2));
  });

  it("spread a source's similarity onto its neighbours", () => {
    const table = appendNeighbourRows(emptyNeighbourTable(3, 5), 0, [row(1, 2), row(), row()]);
    const scores = new Float32Array(3);
    spreadFrom(table, 0, 2, scores);
    expect([...scores]).toEqual([0, 2, 1.5]);
  });
});
