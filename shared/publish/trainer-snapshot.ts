import type { TrainerSnapshot } from "../model";

type StateArray = TrainerSnapshot["arrays"][string];

const ARRAY_TYPES = { Int32Array, Float32Array, Float64Array } as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;

interface Header {
  phase: number;
  cursor: number;
  blend?: TrainerSnapshot["blend"];
  arrays: { name: string; type: ArrayTypeName; length: number }[];
}

/**
 * A trainer's state as one binary value (a KV value between training jobs): a length-prefixed JSON
 * header, then each typed array's bytes, 8-byte aligned so they can be viewed without copying.
 */
export function encodeTrainerSnapshot(snapshot: TrainerSnapshot): ArrayBuffer {
  const entries = Object.entries(snapshot.arrays);
  const header: Header = {
    phase: snapshot.phase,
    cursor: snapshot.cursor,
    blend: snapshot.blend,
    arrays: entries.map(([name, array]) => ({
      name,
      type: array.constructor.name as ArrayTypeName,
      length: array.length,
    })),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const align = (n: number) => Math.ceil(n / 8) * 8;
  let size = align(4 + headerBytes.length);
  for (const [, array] of entries) size += align(array.byteLength);
  const buffer = new ArrayBuffer(size);
  new DataView(buffer).setUint32(0, headerBytes.length, true);
  new Uint8Array(buffer, 4).set(headerBytes);
  let offset = align(4 + headerBytes.length);
  for (const [, array] of entries) {
    new Uint8Array(buffer, offset, array.byteLength).set(
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength),
    );
    offset += align(array.byteLength);
  }
  return buffer;
}

export function decodeTrainerSnapshot(buffer: ArrayBuffer): TrainerSnapshot {
  const headerLength = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength))) as Header;
  const align = (n: number) => Math.ceil(n / 8) * 8;
  let offset = align(4 + headerLength);
  const arrays: Record<string, StateArray> = {};
  for (const { name, type, length } of header.arrays) {
    const ArrayType = ARRAY_TYPES[type];
    arrays[name] = new ArrayType(buffer, offset, length);
    offset += align(length * ArrayType.BYTES_PER_ELEMENT);
  }
  return { phase: header.phase, cursor: header.cursor, blend: header.blend, arrays };
}
