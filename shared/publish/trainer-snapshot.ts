import type { TrainerSnapshot } from "../model";

type StateArray = TrainerSnapshot["arrays"][string];

const ARRAY_TYPES = { Int32Array, Float32Array, Float64Array } as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;

/** What a stored snapshot holds besides the bytes: its fields and, per array, type, length and part count. */
export interface TrainerSnapshotHeader {
  phase: number;
  cursor: number;
  blend?: TrainerSnapshot["blend"];
  arrays: { name: string; type: ArrayTypeName; length: number; parts: number }[];
}

/**
 * A trainer's state as a JSON header and byte parts of at most `maxBytes` (KV values between training
 * jobs stop at 25 MiB). The parts are views of the live arrays, not copies: a snapshot may be a good
 * share of the memory a worker has. They come in header order, each array's parts in a row.
 */
export function splitTrainerSnapshot(
  snapshot: TrainerSnapshot,
  maxBytes: number,
): { header: TrainerSnapshotHeader; parts: Uint8Array[] } {
  const parts: Uint8Array[] = [];
  const arrays = Object.entries(snapshot.arrays).map(([name, array]) => {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    const count = Math.max(1, Math.ceil(bytes.length / maxBytes));
    for (let p = 0; p < count; p++) parts.push(bytes.subarray(p * maxBytes, (p + 1) * maxBytes));
    return { name, type: array.constructor.name as ArrayTypeName, length: array.length, parts: count };
  });
  return { header: { phase: snapshot.phase, cursor: snapshot.cursor, blend: snapshot.blend, arrays }, parts };
}

/** The snapshot back from its header and parts; an array stored in one part is viewed, not copied. */
export function joinTrainerSnapshot(header: TrainerSnapshotHeader, parts: readonly ArrayBuffer[]): TrainerSnapshot {
  const arrays: Record<string, StateArray> = {};
  let next = 0;
  for (const { name, type, length, parts: count } of header.arrays) {
    const ArrayType = ARRAY_TYPES[type];
    const own = parts.slice(next, (next += count));
    if (own.length !== count) throw new Error(`snapshot array ${name} is missing parts`);
    if (count === 1) {
      arrays[name] = new ArrayType(own[0]!, 0, length);
      continue;
    }
    const array = new ArrayType(length);
    const bytes = new Uint8Array(array.buffer);
    let offset = 0;
    for (const part of own) {
      bytes.set(new Uint8Array(part), offset);
      offset += part.byteLength;
    }
    arrays[name] = array;
  }
  return { phase: header.phase, cursor: header.cursor, blend: header.blend, arrays };
}
