import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../shared/db/schema";
import {
  evaluateListeners,
  modelFrom,
  stableHoldoutSplit,
  storeWarmStart,
  Trainer,
  type TrainedModel,
  type TrainerStore,
  type TrainingOutcome,
} from "../../shared/model";
import {
  artifactKey,
  type CatalogRow,
  type ListenerArtifact,
  type ScoredCandidate,
  type SimilarShardArtifact,
  similarShardCount,
  similarShardOf,
} from "../../shared/publish/artifacts";
import { listenerCounts } from "../../shared/model/popularity";
import {
  browseSet,
  catalogRows,
  catalogShardEntries,
  catalogShardParts,
  popularityScale,
  writeCatalogDigest,
} from "./catalog-publish";
import type { Env } from "./env";
import { erasedSince, storeHoldoutScores } from "./holdout-scores";
import { enqueueJobs, type TrainJob } from "./jobs";
import {
  kvTrainerStore,
  loadHeldOut,
  queueDiscard,
  resumeFinishedTrainer,
  runTrainerSlice,
  saveTrainer,
  storeHeldOut,
  type TrainingStageState,
} from "./trainer-state";
import { countEvents, loadHistories, loadTrainingSet, withdrawnListeners, type ModelIndex } from "./training-data";
import { finishVersion, markPartWritten, type VersionMetrics } from "./versions";

/** Every version trains with the same seed, so a retrain of the same data is the same model. */
export const TRAINING_SEED = 1;
/**
 * Names the holdout split (stableHoldoutSplit): every version holds out the same pairs under it, which is what
 * lets the promotion gate pair a candidate's listeners with the live version's. A new key starts a new split.
 */
export const HOLDOUT_KEY = "setlist-holdout-1";

const CANDIDATES_PER_LISTENER = 300;
const SIMILAR_PER_TRACK = 50;
const HEARD_PER_LISTENER = 500;
/**
 * A part job's KV operations stay below the 1,000 a Worker invocation may make: its keys, as many deletes
 * again at worst (erasures during the write), and the model's arrays read back (about 160 keys at 50,000
 * tracks). Its scoring stays far below the CPU limit (300 listeners at 3.5 ms each at 5,000,000
 * interactions). A listener's list is about 11 KB of JSON and a shard about 30 KB.
 */
const LISTENERS_PER_PART = 300;
const SHARDS_PER_PART = 300;
/** How many of a listener's recent tracks are searched for the one that explains a candidate. */
const EXPLAINING_HISTORY = 20;

/**
 * One slice of a version's training (see runTrainerSlice). D1 is read when a stage begins; in between, the
 * trainer's stored arrays are all a job reads. The holdout twin's figures judge the version; the full
 * model is then published in parts, each part a job that resumes the finished trainer to serve from it.
 */
export async function runTrainJob(env: Env, job: TrainJob, now = Date.now()): Promise<void> {
  const { version, stage } = job;
  const stateKey = stageKey(version, stage);
  const options = { seed: TRAINING_SEED, blend: job.blend };
  const slice = await runTrainerSlice(env, job, stateKey, options, (store) => startStage(env, job, store));
  if (!slice) return;
  const { trainer, kept, store } = slice;
  if (stage === "holdout") {
    await finishHoldout(env, version, kept.index, store, trainer.outcome());
    await queueDiscard(env, stateKey, trainer);
  } else {
    await saveTrainer(env, stateKey, store, trainer, kept);
    await readyVersion(env, version, kept.index, trainer.outcome(), now);
    await env.MODELS.delete(warmIndexKey(version));
  }
}

/**
 * The first job of a stage: reads D1 and builds the trainer. Only the full model keeps what was read (the
 * tracks and histories, to stage them); the twin's jobs hold the trainer's arrays and nothing else.
 */
async function startStage(env: Env, job: TrainJob, store: TrainerStore) {
  // The full model starts where the holdout twin left off: its index and its ALS factors (see finishHoldout).
  const warmIndex = job.stage === "full" ? await env.MODELS.get<ModelIndex>(warmIndexKey(job.version), "json") : null;
  const set = await loadTrainingSet(env.DB, warmIndex ?? undefined);
  // Only the holdout twin trains on a split; its held-out items are kept for judging it at the end.
  const split = job.stage === "holdout" ? stableHoldoutSplit(set, { key: HOLDOUT_KEY }) : undefined;
  if (split) await storeHeldOut(store, split.heldOut);
  const options = { seed: TRAINING_SEED, blend: job.blend, warmStart: warmIndex !== null };
  const kept: TrainingStageState = { index: { listeners: set.listeners, items: set.items } };
  return { trainer: new Trainer(split?.train ?? set, options), kept };
}

export const stageKey = (version: string, stage: TrainJob["stage"]) => artifactKey.staging(version, `trainer-${stage}`);
export const warmIndexKey = (version: string) => artifactKey.staging(version, "trainer-full-index");

/**
 * Judges the twin on its held-out items, keeping each evaluated listener's figures for the promotion gate,
 * and hands the full model what carries over: the tuned blend (tuning is half of training; on 80% of the
 * same data it carries over), the index and the ALS factors to refine.
 */
async function finishHoldout(
  env: Env,
  version: string,
  index: ModelIndex,
  store: TrainerStore,
  outcome: TrainingOutcome,
): Promise<void> {
  const model = modelFrom(outcome);
  const heldOut = await loadHeldOut(store);
  // The matrix the twin trained on stands for its training data: what evaluation reads of it is the same.
  const train = { ...index, interactions: outcome.rows.signed };
  const evaluation = evaluateListeners(model, { train, heldOut });
  await storeHoldoutScores(env.DB, version, index.listeners, evaluation.listeners);
  const metrics: VersionMetrics = { holdout: evaluation.report, blendWeights: model.blendWeights };
  await drizzle(env.DB).update(modelVersions).set({ metrics }).where(eq(modelVersions.version, version));
  const fullStore = kvTrainerStore(env.MODELS, stageKey(version, "full"));
  await storeWarmStart(fullStore, outcome.parts.factors);
  await env.MODELS.put(warmIndexKey(version), JSON.stringify(index));
  await enqueueJobs(env.JOBS, [{ kind: "train", version, stage: "full", blend: model.blend }]);
}

/** How a version's keys are cut into parts: catalog shards first, then neighbour-list shards, then listeners. */
function partPlan(index: ModelIndex) {
  const catalogParts = catalogShardParts(index);
  const similarShards = similarShardCount(index.items.length);
  const shardParts = Math.ceil(similarShards / SHARDS_PER_PART);
  const listenerParts = Math.ceil(index.listeners.length / LISTENERS_PER_PART);
  return { catalogParts, similarShards, shardParts, total: catalogParts + shardParts + listenerParts };
}

/**
 * Writes what a version serves besides its per-key lists (its manifest, browse set, exploration pools and
 * charts), records its counts and queues a publish job per part. Popularity is the number of training
 * listeners with positive evidence for a track, which the model's signed matrix holds.
 */
async function readyVersion(
  env: Env,
  version: string,
  index: ModelIndex,
  outcome: TrainingOutcome,
  now: number,
): Promise<void> {
  const plan = partPlan(index);
  await writeCatalogDigest(env, version, index, listenerCounts(outcome.rows.signed), plan.similarShards, now);
  await drizzle(env.DB)
    .update(modelVersions)
    .set({
      algorithm: "hybrid",
      partsTotal: plan.total,
      listenerCount: index.listeners.length,
      trackCount: index.items.length,
      eventCount: await countEvents(env.DB),
    })
    .where(eq(modelVersions.version, version));
  await enqueueJobs(
    env.JOBS,
    Array.from({ length: plan.total }, (_, n) => ({ kind: "publish" as const, version, part: `part-${n}` })),
  );
}

/**
 * Writes one part of a version's keys from the finished model, resumed from its trainer's state:
 * CATALOG_SHARDS_PER_PART shards of catalog rows (see catalogShardOf), SHARDS_PER_PART shards of neighbour
 * lists (see similarShardOf), or LISTENERS_PER_PART listeners' candidate lists with the histories read from
 * D1 for them alone. So no job holds more than one part's entries, or does more than one
 * part's scoring. The last part to land decides whether the version goes live, and lets the trainer go.
 */
export async function runPublishJob(env: Env, version: string, part: string, now = Date.now()): Promise<void> {
  const stateKey = stageKey(version, "full");
  const finished = await resumeFinishedTrainer<TrainingStageState>(env, stateKey, { seed: TRAINING_SEED });
  // The trainer is let go only after the version leaves `building`, whose late jobs are dropped before
  // they get here (index.ts); a missing one is a fault to retry, and to see in the dead letters.
  if (!finished) throw new Error(`the finished trainer of version ${version} is missing`);
  const { trainer, kept } = finished;
  const outcome = trainer.outcome();
  const entries = await partEntries(
    env,
    version,
    kept.index,
    modelFrom(outcome),
    listenerCounts(outcome.rows.signed),
    Number(part.slice("part-".length)),
  );
  const erased = await erasedListenerKeys(env, version);
  const written = entries.filter(([key]) => !erased.has(key));
  await Promise.all(written.map(([key, value]) => env.MODELS.put(key, value)));
  // An erasure that landed while this part was being written must not be undone by it.
  const erasedSince = await erasedListenerKeys(env, version);
  await Promise.all(written.filter(([key]) => erasedSince.has(key)).map(([key]) => env.MODELS.delete(key)));
  if (await markPartWritten(env, version, part, now)) {
    await finishVersion(env, version, now);
    await queueDiscard(env, stateKey);
  }
}

/** A part's keys and their values as JSON, each value turned into text as soon as it is built. */
async function partEntries(
  env: Env,
  version: string,
  index: ModelIndex,
  model: TrainedModel,
  listenersPerTrack: Float64Array,
  part: number,
): Promise<[key: string, json: string][]> {
  const { items, listeners } = index;
  const plan = partPlan(index);
  const similarTo = (item: number) => model.similarItems(item, SIMILAR_PER_TRACK);
  if (part < plan.catalogParts) return catalogShardEntries(env, version, index, listenersPerTrack, part);
  part -= plan.catalogParts;
  if (part < plan.shardParts) {
    const first = part * SHARDS_PER_PART;
    const shards = Math.min(SHARDS_PER_PART, plan.similarShards - first);
    const members: number[][] = Array.from({ length: shards }, () => []);
    items.forEach((id, item) => members[similarShardOf(id, plan.similarShards) - first]?.push(item));
    return members.map((shard, n) => [
      artifactKey.similarShard(version, first + n),
      JSON.stringify(
        Object.fromEntries(
          shard.map((item) => [items[item]!, similarTo(item).map((s) => [items[s.item]!, round(s.score)])]),
        ) satisfies SimilarShardArtifact,
      ),
    ]);
  }
  const first = (part - plan.shardParts) * LISTENERS_PER_PART;
  const last = Math.min(first + LISTENERS_PER_PART, listeners.length) - 1;
  const histories = await loadHistories(env.DB, index, first, last);
  // A listener who withdrew personalization consent since training began gets no candidates either.
  const withdrawn = await withdrawnListeners(env.DB, listeners[first]!, listeners[last]!);
  const published = histories.flatMap((history, n) =>
    withdrawn.has(listeners[first + n]!)
      ? []
      : [
          {
            listener: listeners[first + n]!,
            history,
            recommended: model.recommend(first + n, CANDIDATES_PER_LISTENER),
          },
        ],
  );
  // The rows of the part's candidates outside the browse set, read from D1 once for the whole part.
  const inBrowse = browseSet(listenersPerTrack);
  const outside = [...new Set(published.flatMap((p) => p.recommended.map((r) => r.item)))].filter((i) => !inBrowse[i]);
  const rows = await catalogRows(env.DB, index, outside, popularityScale(listenersPerTrack));
  const rowOf = new Map(outside.map((item, n) => [item, rows[n]!]));
  return published.map(({ listener, history, recommended }) => [
    artifactKey.listener(version, listener),
    JSON.stringify(listenerArtifact(items, history, recommended, similarTo, rowOf)),
  ]);
}

/** A listener's candidates, each with the history track that explains it, and what they have heard. */
function listenerArtifact(
  items: string[],
  history: number[],
  recommended: { item: number; score: number }[],
  similarTo: (item: number) => { item: number; score: number }[],
  rowOf: ReadonlyMap<number, CatalogRow>,
): ListenerArtifact {
  // A candidate is explained by the recent history track that lists it as its strongest neighbour.
  const because = new Map<number, { source: number; score: number }>();
  for (const source of history.slice(0, EXPLAINING_HISTORY)) {
    for (const n of similarTo(source)) {
      const best = because.get(n.item);
      if (!best || n.score > best.score) because.set(n.item, { source, score: n.score });
    }
  }
  const candidates: ScoredCandidate[] = recommended.map((r) => {
    const source = because.get(r.item)?.source;
    return [items[r.item]!, round(r.score), source === undefined ? null : items[source]!];
  });
  // A row is an array itself: flatMap must get it wrapped.
  const rows = recommended.flatMap((r) => (rowOf.has(r.item) ? [rowOf.get(r.item)!] : []));
  return {
    candidates,
    heard: history.slice(0, HEARD_PER_LISTENER).map((i) => items[i]!),
    ...(rows.length > 0 ? { rows } : {}),
  };
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

/** KV keys of this version that belong to listeners erased since its training began. */
async function erasedListenerKeys(env: Env, version: string): Promise<Set<string>> {
  return new Set([...(await erasedSince(env.DB, version))].map((id) => artifactKey.listener(version, id)));
}
