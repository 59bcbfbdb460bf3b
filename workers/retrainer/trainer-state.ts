import type { TrainerState, TrainerStore } from "../../shared/model";
import { decodeArray, encodeArray, type StoredArrayHeader } from "../../shared/publish/stored-array";
import type { ModelIndex } from "./training-data";

/** KV values stop at 25 MiB. */
const PART_BYTES = 20 * 1024 * 1024;

/**
 * A trainer's arrays in KV, one key per array under `prefix`: the first part carries the array's header as
 * metadata, further parts follow under `name:1`, `name:2`, ...
 */
export function kvTrainerStore(kv: KVNamespace, prefix: string): TrainerStore {
  const key = (name: string, part = 0) => `${prefix}${name}${part > 0 ? `:${part}` : ""}`;
  return {
    async get(name) {
      const { value, metadata } = await kv.getWithMetadata<StoredArrayHeader>(key(name), "arrayBuffer");
      if (!value || !metadata) return undefined;
      const parts = [value];
      for (let n = 1; n < metadata.parts; n++) {
        const part = await kv.get(key(name, n), "arrayBuffer");
        if (!part) throw new Error(`part ${n} of ${key(name)} is missing`);
        parts.push(part);
      }
      return decodeArray(metadata, parts);
    },
    async put(name, array) {
      const { header, parts } = encodeArray(array, PART_BYTES);
      // One part at a time: the runtime copies each value it sends, and one array may be much of the memory.
      for (let n = parts.length - 1; n >= 0; n--) {
        await kv.put(key(name, n), parts[n]!, n === 0 ? { metadata: header } : undefined);
      }
    },
    async delete(name) {
      const { keys } = await kv.list({ prefix: `${key(name)}:` });
      await Promise.all([key(name), ...keys.map((k) => k.name)].map((k) => kv.delete(k)));
    },
  };
}

/** What a training stage keeps between its jobs besides the trainer's arrays. */
export interface TrainingStageState {
  trainer: TrainerState;
  /** The ids the trainer's indices stand for, fixed when the stage began. */
  index: ModelIndex;
}
