import type { TrainerSnapshot } from "../../shared/model";
import {
  joinTrainerSnapshot,
  splitTrainerSnapshot,
  type TrainerSnapshotHeader,
} from "../../shared/publish/trainer-snapshot";

/** KV values stop at 25 MiB. */
const PART_BYTES = 20 * 1024 * 1024;

/** A trainer's state between jobs: the header under `key`, the byte parts under `key:0`, `key:1`, ... */
export async function storeTrainerSnapshot(kv: KVNamespace, key: string, snapshot: TrainerSnapshot): Promise<void> {
  const { header, parts } = splitTrainerSnapshot(snapshot, PART_BYTES);
  // One part at a time: the runtime copies each value it sends, and the state may be most of the memory.
  for (const [n, part] of parts.entries()) await kv.put(`${key}:${n}`, part);
  await kv.put(key, JSON.stringify(header));
}

export async function loadTrainerSnapshot(kv: KVNamespace, key: string): Promise<TrainerSnapshot | undefined> {
  const header = await kv.get<TrainerSnapshotHeader>(key, "json");
  if (!header) return undefined;
  const parts: ArrayBuffer[] = [];
  for (let n = 0; n < partCount(header); n++) {
    const part = await kv.get(`${key}:${n}`, "arrayBuffer");
    if (!part) throw new Error(`part ${n} of ${key} is missing`);
    parts.push(part);
  }
  return joinTrainerSnapshot(header, parts);
}

export async function deleteTrainerSnapshot(kv: KVNamespace, key: string): Promise<void> {
  const header = await kv.get<TrainerSnapshotHeader>(key, "json");
  if (!header) return;
  await Promise.all(Array.from({ length: partCount(header) }, (_, n) => kv.delete(`${key}:${n}`)));
  await kv.delete(key);
}

function partCount(header: TrainerSnapshotHeader): number {
  return header.arrays.reduce((n, array) => n + array.parts, 0);
}
