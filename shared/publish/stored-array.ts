import type { StateArray, TrainerStore } from "../model";

const ARRAY_TYPES = { Int32Array, Float32Array, Float64Array } as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;

/** What a stored array holds besides its bytes. */
export interface StoredArrayHeader {
  type: ArrayTypeName;
  length: number;
  parts: number;
}

/**
 * An array as byte parts of at most `maxBytes` (KV values stop at 25 MiB). The parts are views of the
 * array, not copies: one array may be a good share of the memory a worker has.
 */
export function encodeArray(array: StateArray, maxBytes: number): { header: StoredArrayHeader; parts: Uint8Array[] } {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const count = Math.max(1, Math.ceil(bytes.length / maxBytes));
  const parts = Array.from({ length: count }, (_, p) => bytes.subarray(p * maxBytes, (p + 1) * maxBytes));
  return { header: { type: array.constructor.name as ArrayTypeName, length: array.length, parts: count }, parts };
}

/** The array back from its header and parts; an array stored in one part is viewed, not copied. */
export function decodeArray(header: StoredArrayHeader, parts: readonly ArrayBuffer[]): StateArray {
  const ArrayType = ARRAY_TYPES[header.type];
  if (!ArrayType) throw new Error(`unknown stored array type ${header.type}`);
  if (parts.length !== header.parts) throw new Error(`stored array has ${parts.length} of ${header.parts} parts`);
  if (parts.length === 1) return new ArrayType(parts[0]!, 0, header.length);
  const array = new ArrayType(header.length);
  const bytes = new Uint8Array(array.buffer);
  let offset = 0;
  for (const part of parts) {
    bytes.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return array;
}

/** A TrainerStore in memory that keeps bytes as a KV namespace would: every part copied. */
export function memoryTrainerStore(maxBytes = 1 << 20): TrainerStore & { names(): string[] } {
  const held = new Map<string, { header: StoredArrayHeader; parts: ArrayBuffer[] }>();
  return {
    async get(name) {
      const entry = held.get(name);
      return entry && decodeArray(entry.header, entry.parts);
    },
    async put(name, array) {
      const { header, parts } = encodeArray(array, maxBytes);
      held.set(name, { header, parts: parts.map((part) => part.slice().buffer) });
    },
    async delete(name) {
      held.delete(name);
    },
    names: () => [...held.keys()],
  };
}
