import { Trainer, type TrainerState, type TrainerStore, type TrainOptions } from "../../../shared/model";
import { packLists, unpackLists } from "../../../shared/model/sparse";
import { decodeArray, encodeArray, type StoredArrayHeader } from "../../../shared/publish/stored-array";
import { yieldToRuntime } from "../../../shared/util/sliced";

/**
 * A trainer between a run's steps lives in R2: strongly consistent (the next step reads what the last one
 * wrote, wherever it runs) and with no cap on an object's size, so an array is one object. Under a
 * trainer's prefix: `state.json` (where it stands, its options and what its caller keeps beside it) and
 * `arrays/<name>`, each array's header in the object's metadata.
 */
export const trainerPrefix = (run: string, trainer: string) => `retrain/${run}/${trainer}/`;
/** Everything a run keeps in R2 between its steps, deleted by its last step (see clean-up.ts). */
export const runPrefix = (run: string) => `retrain/${run}/`;

export function r2TrainerStore(bucket: R2Bucket, prefix: string): TrainerStore {
  const key = (name: string) => `${prefix}arrays/${name}`;
  return {
    async get(name) {
      const object = await bucket.get(key(name));
      if (!object) return undefined;
      const header = JSON.parse(object.customMetadata?.header ?? "null") as StoredArrayHeader | null;
      if (!header) throw new Error(`${key(name)} has no array header`);
      return decodeArray(header, [await object.arrayBuffer()]);
    },
    async put(name, array) {
      const { header, parts } = encodeArray(array, Number.MAX_SAFE_INTEGER);
      await bucket.put(key(name), parts[0]!, { customMetadata: { header: JSON.stringify(header) } });
    },
    async delete(name) {
      await bucket.delete(key(name));
    },
  };
}

/** What a trainer's saved state holds besides where it stands. */
export interface SavedTrainer<Kept> {
  trainer: TrainerState;
  /** The options it trains with (a resumed trainer must be built with the same ones). */
  options: TrainOptions;
  kept: Kept;
}

/** Leaves a trainer for another step to resume: its changed arrays, then its state. */
export async function saveTrainer<Kept>(
  bucket: R2Bucket,
  prefix: string,
  trainer: Trainer,
  options: TrainOptions,
  kept: Kept,
): Promise<TrainerState> {
  await trainer.persist(r2TrainerStore(bucket, prefix), yieldToRuntime);
  const state = trainer.state();
  const saved: SavedTrainer<Kept> = { trainer: state, options, kept };
  await bucket.put(`${prefix}state.json`, JSON.stringify(saved));
  return state;
}

/** A trainer saveTrainer left under `prefix`, resumed (its arrays stay in R2 until a phase needs them). */
export async function loadTrainer<Kept>(
  bucket: R2Bucket,
  prefix: string,
): Promise<{ trainer: Trainer; kept: Kept; options: TrainOptions; store: TrainerStore }> {
  const object = await bucket.get(`${prefix}state.json`);
  if (!object) throw new Error(`no trainer saved under ${prefix}`);
  const saved = await object.json<SavedTrainer<Kept>>();
  const trainer = new Trainer(undefined, saved.options, saved.trainer);
  return { trainer, kept: saved.kept, options: saved.options, store: r2TrainerStore(bucket, prefix) };
}

type LoadedTrainer<Kept> = Awaited<ReturnType<typeof loadTrainer<Kept>>>;

/**
 * The finished trainer last read back, kept in the isolate for the steps after it: a run's evaluation slices
 * read the same twin and its publish parts the same model, one step after another, and reading the model's
 * arrays back from R2 (about 60 MB at Last.fm's size) was most of such a step. A finished trainer's arrays
 * do not change until the run deletes them; the version of its state.json (etag and upload time) names them.
 */
let lastFinished: { prefix: string; version: string; loaded: LoadedTrainer<unknown> } | undefined;

/** Lets the isolate's copy of a finished trainer go: steps that need their memory for other things call it. */
export function forgetFinishedTrainer(): void {
  lastFinished = undefined;
}

/** A finished trainer with its model's arrays read back into memory, for `outcome()`. */
export async function loadFinishedTrainer<Kept>(bucket: R2Bucket, prefix: string): Promise<LoadedTrainer<Kept>> {
  const head = await bucket.head(`${prefix}state.json`);
  const version = head ? `${head.etag} ${head.uploaded.getTime()}` : "";
  if (lastFinished?.prefix === prefix && lastFinished.version === version)
    return lastFinished.loaded as LoadedTrainer<Kept>;
  forgetFinishedTrainer();
  const loaded = await loadTrainer<Kept>(bucket, prefix);
  if (!(await loaded.trainer.advance(loaded.store, 0, yieldToRuntime)).finished)
    throw new Error(`the trainer under ${prefix} has not finished`);
  lastFinished = { prefix, version, loaded };
  return loaded;
}

/** A trainer's held-out items, beside its arrays (not names the trainer uses), for judging it at the end. */
const HELD_OUT_INDPTR = "heldOut.indptr";
const HELD_OUT_ITEMS = "heldOut.items";

export async function storeHeldOut(store: TrainerStore, heldOut: number[][]): Promise<void> {
  const { indptr, indices } = packLists(heldOut);
  await store.put(HELD_OUT_INDPTR, indptr);
  await store.put(HELD_OUT_ITEMS, indices);
}

export async function loadHeldOut(store: TrainerStore): Promise<number[][]> {
  const indptr = await store.get(HELD_OUT_INDPTR);
  const items = await store.get(HELD_OUT_ITEMS);
  if (!indptr || !items) throw new Error("the trainer's held-out items are missing");
  return unpackLists(indptr, items as Int32Array);
}

/** Deletes every object under `prefix`, a page of at most 1,000 keys (one list, one delete) at a time. */
export async function deleteUnder(bucket: R2Bucket, prefix: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const page = await bucket.list({ prefix, limit: 1000 });
    if (page.objects.length === 0) return deleted;
    await bucket.delete(page.objects.map((o) => o.key));
    deleted += page.objects.length;
    if (!page.truncated) return deleted;
  }
}
