import { confidence } from "./evidence";
import { csrFromCoordinates, type CsrMatrix } from "./sparse";
import type { Interaction, InteractionColumns, TrainingData } from "./types";

export function interactionCount(data: TrainingData): number {
  const rows = data.interactions;
  if (Array.isArray(rows)) return rows.length;
  return isMatrix(rows) ? rows.indices.length : rows.listener.length;
}

function isMatrix(rows: TrainingData["interactions"]): rows is CsrMatrix {
  return "indptr" in rows;
}

function interactionColumns(rows: Interaction[] | InteractionColumns): InteractionColumns {
  if (!Array.isArray(rows)) return rows;
  const listener = new Int32Array(rows.length);
  const item = new Int32Array(rows.length);
  const weight = new Float32Array(rows.length);
  rows.forEach((row, e) => {
    listener[e] = row.listener;
    item[e] = row.item;
    weight[e] = row.weight;
  });
  return { listener, item, weight };
}

/** Listener x item matrix of net signed evidence (repeated observations of a pair are summed). */
export function evidenceMatrix(data: TrainingData): CsrMatrix {
  if (isMatrix(data.interactions)) {
    const m = data.interactions;
    if (m.rows !== data.listeners.length || m.cols !== data.items.length)
      throw new RangeError(
        `a ${m.rows} x ${m.cols} evidence matrix for ${data.listeners.length} x ${data.items.length}`,
      );
    return m;
  }
  const columns = interactionColumns(data.interactions);
  for (let e = 0; e < columns.listener.length; e++) {
    const l = columns.listener[e]!,
      i = columns.item[e]!;
    if (!(l >= 0 && l < data.listeners.length && i >= 0 && i < data.items.length)) {
      throw new RangeError(`interaction ${e} refers to listener ${l} / item ${i} outside the data`);
    }
  }
  return csrFromCoordinates(data.listeners.length, data.items.length, columns.listener, columns.item, columns.weight);
}

/** Same pattern, each value replaced by its sign times the log-scaled confidence. */
export function signedConfidence(evidence: CsrMatrix): CsrMatrix {
  return { ...evidence, values: evidence.values.map((w) => Math.sign(w) * confidence(w)) };
}

/** Only the positive entries (m itself when it has no others: at 5,000,000 entries a copy is 40 MB). */
export function positivePart(m: CsrMatrix): CsrMatrix {
  if (m.values.every((v) => v > 0)) return m;
  const indptr = new Int32Array(m.rows + 1);
  const kept: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) if (m.values[p]! > 0) kept.push(p);
    indptr[r + 1] = kept.length;
  }
  return {
    rows: m.rows,
    cols: m.cols,
    indptr,
    indices: Int32Array.from(kept, (p) => m.indices[p]!),
    values: Float32Array.from(kept, (p) => m.values[p]!),
  };
}
