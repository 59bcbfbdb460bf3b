import { eq, gte } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { chartFromEvents, CHART_WINDOW_MS } from "../../shared/db/queries";
import { erasures, listeners, modelVersions } from "../../shared/db/schema";
import {
  evaluate,
  holdoutSplit,
  modelFrom,
  storeWarmStart,
  Trainer,
  type TrainedModel,
  type TrainerStore,
  type TrainingOutcome,
} from "../../shared/model";
import {
  artifactKey,
  toCatalogRow,
  type CatalogArtifact,
  type ChartsArtifact,
  type ListenerArtifact,
  type ScoredCandidate,
  type SimilarShardArtifact,
  similarShardCount,
  similarShardOf,
} from "../../shared/publish/artifacts";
import type { Env } from "./env";
import { enqueueJobs, type TrainJob } from "./jobs";
import {
  discardTrainer,
  kvTrainerStore,
  loadHeldOut,
  runTrainerSlice,
  storeHeldOut,
  type TrainingStageState,
} from "./trainer-state";
import { historyOf, loadTrainingSet, type ModelIndex, type TrainingSet } from "./training-data";
import { finishVersion, markPartWritten, type VersionMetrics } from "./versions";

const TRAINING_SEED = 1;

const CANDIDATES_PER_LISTENER = 300;
const SIMILAR_PER_TRACK = 50;
const HEARD_PER_LISTENER = 500;
/**
 * A part's keys stay far below the 1,000 KV operations a Worker invocation may make. A listener's list is
 * about 11 KB of JSON and a shard about 30 KB, so a part is about 3 MB, built and parsed again while
 * the model is in memory.
 */
const LISTENERS_PER_PART = 300;
const SHARDS_PER_PART = 100;
const CHART_LENGTH = 100;
const NEW_RELEASE_DAYS = 30;
/** How many of a listener's recent tracks are searched for the one that explains a candidate. */
const EXPLAINING_HISTORY = 20;

type StagedEntries = [key: string, value: ListenerArtifact | SimilarShardArtifact][];

/**
 * One slice of a version's training (see runTrainerSlice). D1 is read when a stage begins and when the full
 * model is staged; in between, the trainer's stored arrays are all a job reads. The holdout twin's figures
 * judge the version; the full model is then staged for publishing.
 */
export async function runTrainJob(env: Env, job: TrainJob, now = Date.now()): Promise<void> {
  const { version, stage } = job;
  const stateKey = stageKey(version, stage);
  const options = { seed: TRAINING_SEED, blend: job.blend };
  const slice = await runTrainerSlice(env, job, stateKey, options, (store) => startStage(env, job, store));
  if (!slice) return;
  const { trainer, kept, begun, store } = slice;
  const outcome = trainer.outcome();
  if (stage === "holdout") await finishHoldout(env, version, kept.index, store, outcome);
  else await stageVersion(env, version, begun ?? (await loadTrainingSet(env.DB, kept.index)), modelFrom(outcome), now);
  await discardTrainer(env, store, trainer, stateKey);
  if (stage === "full") await env.MODELS.delete(warmIndexKey(version));
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
  const split = job.stage === "holdout" ? holdoutSplit(set.data, { seed: TRAINING_SEED }) : undefined;
  if (split) await storeHeldOut(store, split.heldOut);
  const options = { seed: TRAINING_SEED, blend: job.blend, warmStart: warmIndex !== null };
  const kept: TrainingStageState = { index: { listeners: set.data.listeners, items: set.data.items } };
  return {
    trainer: new Trainer(split?.train ?? set.data, options),
    kept,
    // Staging needs the tracks and histories but not the content, which the trainer has made its vectors of.
    begun: job.stage === "full" ? { ...set, data: { ...set.data, itemContent: undefined } } : undefined,
  };
}

const stageKey = (version: string, stage: TrainJob["stage"]) => artifactKey.staging(version, `trainer-${stage}`);
const warmIndexKey = (version: string) => artifactKey.staging(version, "trainer-full-index");

/**
 * Judges the twin on its held-out items and hands the full model what carries over: the tuned blend (tuning
 * is half of training; on 80% of the same data it carries over), the index and the ALS factors to refine.
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
  const metrics: VersionMetrics = { holdout: evaluate(model, { train, heldOut }), blendWeights: model.blendWeights };
  await drizzle(env.DB).update(modelVersions).set({ metrics }).where(eq(modelVersions.version, version));
  const fullStore = kvTrainerStore(env.MODELS, `${stageKey(version, "full")}:`);
  await storeWarmStart(fullStore, outcome.parts.factors);
  await env.MODELS.put(warmIndexKey(version), JSON.stringify(index));
  await enqueueJobs(env.JOBS, [{ kind: "train", version, stage: "full", blend: model.blend }]);
}

/**
 * Stages everything a trained version publishes, in parts, each built and written before the next: all
 * of a version's entries at once would be most of a worker's memory. Neighbour lists go in shards
 * (see similarShardOf), SHARDS_PER_PART to a part; listeners' lists LISTENERS_PER_PART to a part.
 */
async function stageVersion(
  env: Env,
  version: string,
  set: TrainingSet,
  model: TrainedModel,
  now: number,
): Promise<void> {
  const { items, listeners } = set.data;
  const similarTo = (item: number) => model.similarItems(item, SIMILAR_PER_TRACK);
  const similarShards = similarShardCount(items.length);
  const shardMembers: number[][] = Array.from({ length: similarShards }, () => []);
  items.forEach((id, item) => shardMembers[similarShardOf(id, similarShards)]!.push(item));
  const shardEntry = (shard: number): StagedEntries[number] => [
    artifactKey.similarShard(version, shard),
    Object.fromEntries(
      shardMembers[shard]!.map((item) => [items[item]!, similarTo(item).map((s) => [items[s.item]!, round(s.score)])]),
    ),
  ];
  const listenerEntry = (l: number): StagedEntries[number] => [
    artifactKey.listener(version, listeners[l]!),
    listenerArtifact(set, l, model.recommend(l, CANDIDATES_PER_LISTENER), similarTo),
  ];
  const parts: string[] = [];
  const stage = async (count: number, perPart: number, entryOf: (n: number) => StagedEntries[number]) => {
    for (let first = 0; first < count; first += perPart) {
      const part = `part-${parts.length}`;
      // Each entry is turned into JSON as soon as it is built: a part's objects take several times its text.
      const entries: string[] = [];
      for (let n = first; n < Math.min(first + perPart, count); n++) entries.push(JSON.stringify(entryOf(n)));
      await env.MODELS.put(artifactKey.staging(version, part), `[${entries.join(",")}]`);
      parts.push(part);
    }
  };
  await stage(similarShards, SHARDS_PER_PART, shardEntry);
  await stage(listeners.length, LISTENERS_PER_PART, listenerEntry);
  await env.MODELS.put(artifactKey.catalog(version), JSON.stringify(catalogArtifact(set, version, similarShards)));
  await env.MODELS.put(artifactKey.charts(version), JSON.stringify(await chartsArtifact(env.DB, set, now)));

  await drizzle(env.DB)
    .update(modelVersions)
    .set({
      algorithm: "hybrid",
      partsTotal: parts.length,
      listenerCount: set.data.listeners.length,
      trackCount: set.data.items.length,
      eventCount: set.eventCount,
    })
    .where(eq(modelVersions.version, version));
  await enqueueJobs(
    env.JOBS,
    parts.map((part) => ({ kind: "publish" as const, version, part })),
  );
}

/** Fans one staged part out to its keys; the last part to land decides whether the version goes live. */
export async function runPublishJob(env: Env, version: string, part: string, now = Date.now()): Promise<void> {
  const stagingKey = artifactKey.staging(version, part);
  const staged = await env.MODELS.get<StagedEntries>(stagingKey, "json");
  if (staged) {
    const erased = await erasedListenerKeys(env, version);
    const kept = staged.filter(([key]) => !erased.has(key));
    await Promise.all(kept.map(([key, value]) => env.MODELS.put(key, JSON.stringify(value))));
    // An erasure that landed while this part was being written must not be undone by it.
    const erasedSince = await erasedListenerKeys(env, version);
    await Promise.all(kept.filter(([key]) => erasedSince.has(key)).map(([key]) => env.MODELS.delete(key)));
  }
  if (await markPartWritten(env, version, part, now)) await finishVersion(env, version, now);
  if (staged) await env.MODELS.delete(stagingKey);
}

function listenerArtifact(
  set: TrainingSet,
  listener: number,
  recommended: { item: number; score: number }[],
  similarTo: (item: number) => { item: number; score: number }[],
): ListenerArtifact {
  const history = historyOf(set, listener);
  // A candidate is explained by the recent history track that lists it as its strongest neighbour.
  const because = new Map<number, { source: number; score: number }>();
  for (const source of history.subarray(0, EXPLAINING_HISTORY)) {
    for (const n of similarTo(source)) {
      const best = because.get(n.item);
      if (!best || n.score > best.score) because.set(n.item, { source, score: n.score });
    }
  }
  const candidates: ScoredCandidate[] = recommended.map((r) => {
    const source = because.get(r.item)?.source;
    return [set.data.items[r.item]!, round(r.score), source === undefined ? null : set.data.items[source]!];
  });
  return { candidates, heard: Array.from(history.subarray(0, HEARD_PER_LISTENER), (i) => set.data.items[i]!) };
}

function catalogArtifact(set: TrainingSet, version: string, similarShards: number): CatalogArtifact {
  // A loop, not a spread: a large catalogue would be more arguments than a call may take.
  const most = set.listenersPerTrack.reduce((max, n) => Math.max(max, n), 1);
  return {
    version,
    rows: set.tracks.map((t, i) => toCatalogRow({ ...t, popularity: set.listenersPerTrack[i]! / most })),
    similarShards,
  };
}

async function chartsArtifact(db: D1Database, set: TrainingSet, now: number): Promise<ChartsArtifact> {
  const since = now - CHART_WINDOW_MS;
  const global = (await chartFromEvents(db, { region: null, since, limit: CHART_LENGTH })).map((r) => r.trackId);
  const regionRows = await drizzle(db).selectDistinct({ region: listeners.region }).from(listeners);
  const regions: Record<string, string[]> = {};
  for (const { region } of regionRows) {
    if (!region) continue;
    regions[region] = (await chartFromEvents(db, { region, since, limit: CHART_LENGTH })).map((r) => r.trackId);
  }
  const newSince = new Date(now - NEW_RELEASE_DAYS * 24 * 3600 * 1000).toISOString().slice(0, 10);
  const newReleases = set.tracks
    .map((t, i) => ({ t, listeners: set.listenersPerTrack[i]! }))
    .filter(({ t }) => t.releaseDate >= newSince)
    .sort((a, b) => b.listeners - a.listeners || a.t.id.localeCompare(b.t.id))
    .slice(0, CHART_LENGTH)
    .map(({ t }) => t.id);
  return { global, regions, newReleases };
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

/** KV keys of this version that belong to listeners erased since its training began. */
async function erasedListenerKeys(env: Env, version: string): Promise<Set<string>> {
  const d = drizzle(env.DB);
  const [row] = await d
    .select({ createdAt: modelVersions.createdAt })
    .from(modelVersions)
    .where(eq(modelVersions.version, version));
  const erased = await d
    .select({ listener: erasures.listenerId })
    .from(erasures)
    .where(gte(erasures.erasedAt, row?.createdAt ?? 0));
  return new Set(erased.map((e) => artifactKey.listener(version, e.listener)));
}
