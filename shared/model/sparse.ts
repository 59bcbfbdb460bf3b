/** Compressed sparse rows: row r holds indices[indptr[r] .. indptr[r+1]) sorted ascending, with values alongside. */
export interface CsrMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Builds a CSR matrix from coordinates; duplicate (row, col) entries are summed. */
export function csrFromCoordinates(
  rows: number,
  cols: number,
  rowOf: Int32Array,
  colOf: Int32Array,
  valueOf: Float32Array,
): CsrMatrix {
  const n = rowOf.length;
  const counts = new Int32Array(rows + 1);
  for (let e = 0; e < n; e++) counts[rowOf[e]! + 1]!++;
  for (let r = 0; r < rows; r++) counts[r + 1]! += counts[r]!;
  const fill = counts.slice(0, rows);
  const order = new Int32Array(n);
  for (let e = 0; e < n; e++) order[fill[rowOf[e]!]!++] = e;

  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  let nnz = 0;
  const rowEntries: number[] = [];
  for (let r = 0; r < rows; r++) {
    rowEntries.length = 0;
    for (let p = counts[r]!; p < counts[r + 1]!; p++) rowEntries.push(order[p]!);
    rowEntries.sort((a, b) => colOf[a]! - colOf[b]! || a - b);
    for (const e of rowEntries) {
      if (nnz > indptr[r]! && indices[nnz - 1] === colOf[e]) values[nnz - 1]! += valueOf[e]!;
      else {
        indices[nnz] = colOf[e]!;
        values[nnz++] = valueOf[e]!;
      }
    }
    indptr[r + 1] = nnz;
  }
  return { rows, cols, indptr, indices: indices.slice(0, nnz), values: values.slice(0, nnz) };
}

export function transpose(m: CsrMatrix): CsrMatrix {
  return columnBlock(m, 0, m.cols);
}

/**
 * Rows [from, to) of the transpose, i.e. columns [from, to) of m as rows (local row r is column from + r).
 * A scan of m instead of a whole transpose: a block of a 5,000,000-entry matrix costs a few MB, the whole 40.
 */
export function columnBlock(m: CsrMatrix, from: number, to: number): CsrMatrix {
  const rows = to - from;
  const indptr = new Int32Array(rows + 1);
  for (let p = 0; p < m.indices.length; p++) {
    const c = m.indices[p]!;
    if (c >= from && c < to) indptr[c - from + 1]!++;
  }
  for (let r = 0; r < rows; r++) indptr[r + 1]! += indptr[r]!;
  const fill = indptr.slice(0, rows);
  const indices = new Int32Array(indptr[rows]!);
  const values = new Float32Array(indptr[rows]!);
  // Walking rows in order keeps each transposed row sorted.
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const c = m.indices[p]!;
      if (c < from || c >= to) continue;
      const q = fill[c - from]!++;
      indices[q] = r;
      values[q] = m.values[p]!;
    }
  }
  return { rows, cols: m.rows, indptr, indices, values };
}

/** The given rows of m, in the order given, as a matrix of their own (row n is m's row rows[n]). */
export function selectRows(m: CsrMatrix, rows: ArrayLike<number>): CsrMatrix {
  const indptr = new Int32Array(rows.length + 1);
  for (let n = 0; n < rows.length; n++) indptr[n + 1] = indptr[n]! + m.indptr[rows[n]! + 1]! - m.indptr[rows[n]!]!;
  const indices = new Int32Array(indptr[rows.length]!);
  const values = new Float32Array(indptr[rows.length]!);
  for (let n = 0; n < rows.length; n++) {
    const start = m.indptr[rows[n]!]!,
      end = m.indptr[rows[n]! + 1]!;
    indices.set(m.indices.subarray(start, end), indptr[n]!);
    values.set(m.values.subarray(start, end), indptr[n]!);
  }
  return { rows: rows.length, cols: m.cols, indptr, indices, values };
}

/** Lists of indices packed as CSR rows without values (list n at indices[indptr[n] .. indptr[n + 1])). */
export function packLists(lists: readonly (readonly number[])[]): { indptr: Int32Array; indices: Int32Array } {
  const indptr = new Int32Array(lists.length + 1);
  lists.forEach((list, n) => (indptr[n + 1] = indptr[n]! + list.length));
  return { indptr, indices: Int32Array.from(lists.flat()) };
}

/** The lists packLists packed. */
export function unpackLists(indptr: ArrayLike<number>, indices: Int32Array): number[][] {
  return Array.from({ length: indptr.length - 1 }, (_, n) => [...indices.subarray(indptr[n]!, indptr[n + 1]!)]);
}
