import type { EventType } from "../catalog/types";
import {
  evaluateListeners,
  evidenceWeight,
  modelFrom,
  stableHoldoutSplit,
  storeWarmStart,
  Trainer,
  type EventCounts,
  type Interaction,
  type TrainingData,
} from "../model";
import { encodeArray, memoryTrainerStore } from "../publish/stored-array";
import { UPLOAD_PART_BYTES, type TrainedModelManifest } from "./offline-model";
import type { LakeRecord } from "./records";

const COUNTED: Record<EventType, keyof EventCounts> = {
  play: "plays",
  complete: "completes",
  skip: "skips",
  like: "likes",
  dislike: "dislikes",
  repeat: "repeats",
  add_to_playlist: "adds",
};

/**
 * Lake records as the retrainer's training set: each (listener, track) pair's event counts turned into
 * signed evidence, as D1's training read turns them (evidenceWeight), listeners and tracks in id order.
 * `withheld` listeners (who withdrew consent) are left out.
 */
export function trainingSetFromLake(records: readonly LakeRecord[], withheld: ReadonlySet<string>): TrainingData {
  const pairs = new Map<string, Map<string, EventCounts>>();
  for (const r of records) {
    if (withheld.has(r.listener)) continue;
    let tracks = pairs.get(r.listener);
    if (!tracks) pairs.set(r.listener, (tracks = new Map()));
    let counts = tracks.get(r.trackId);
    if (!counts) {
      counts = { plays: 0, completes: 0, skips: 0, likes: 0, dislikes: 0, repeats: 0, adds: 0 };
      tracks.set(r.trackId, counts);
    }
    counts[COUNTED[r.type]]++;
  }
  const listeners = [...pairs.keys()].sort();
  const items = [...new Set(records.filter((r) => pairs.has(r.listener)).map((r) => r.trackId))].sort();
  const itemIndex = new Map(items.map((id, i) => [id, i]));
  const interactions: Interaction[] = listeners.flatMap((id, listener) =>
    [...pairs.get(id)!].map(([track, counts]) => ({
      listener,
      item: itemIndex.get(track)!,
      weight: evidenceWeight(counts),
    })),
  );
  return { listeners, items, interactions };
}

/** A finished trainer's upload: the manifest and each array's parts, by name. */
export interface TrainedModelUpload {
  manifest: TrainedModelManifest;
  parts: Map<string, Uint8Array[]>;
}

/**
 * A retrain in one process, the same stages the retrainer runs across jobs: the holdout twin on the stable
 * split (judged on its held-out pairs, per listener, for the promotion gate), then the model on everything,
 * starting from the twin's factors with its tuned blend. Answers the full trainer as the artefact contract
 * uploads it.
 */
export async function trainForUpload(
  data: TrainingData,
  options: { seed: number; holdoutKey: string; lakeReadAt: number },
): Promise<TrainedModelUpload> {
  const split = stableHoldoutSplit(data, { key: options.holdoutKey });
  const twin = new Trainer(split.train, { seed: options.seed });
  await twin.advance(memoryTrainerStore(), Number.MAX_SAFE_INTEGER);
  const twinOutcome = twin.outcome();
  const twinModel = modelFrom(twinOutcome);
  const train = { listeners: data.listeners, items: data.items, interactions: twinOutcome.rows.signed };
  const evaluation = evaluateListeners(twinModel, { train, heldOut: split.heldOut });

  const store = memoryTrainerStore();
  await storeWarmStart(store, twinOutcome.parts.factors);
  const full = new Trainer(data, { seed: options.seed, blend: twinModel.blend, warmStart: true });
  await full.advance(store, Number.MAX_SAFE_INTEGER);
  await full.persist(store);
  const state = full.state();
  const parts = new Map<string, Uint8Array[]>();
  const arrays: TrainedModelManifest["arrays"] = {};
  for (const name of state.stored) {
    const encoded = encodeArray((await store.get(name))!, UPLOAD_PART_BYTES);
    parts.set(name, encoded.parts);
    arrays[name] = encoded.header;
  }
  return {
    manifest: {
      lakeReadAt: options.lakeReadAt,
      index: { listeners: data.listeners, items: data.items },
      trainer: { ...state, blend: state.blend! },
      arrays,
      holdout: {
        report: evaluation.report,
        blendWeights: twinModel.blendWeights,
        listeners: evaluation.listeners.map((s) => ({
          listener: data.listeners[s.listener]!,
          ndcg: s.ndcg,
          recall: s.recall,
        })),
      },
    },
    parts,
  };
}
