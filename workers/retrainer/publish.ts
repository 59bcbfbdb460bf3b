import { eq, gte } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { chartFromEvents, CHART_WINDOW_MS } from "../../shared/db/queries";
import { erasures, listeners, modelVersions } from "../../shared/db/schema";
import { evaluate, holdoutSplit, trainModel } from "../../shared/model";
import {
  artifactKey,
  toCatalogRow,
  type CatalogArtifact,
  type ChartsArtifact,
  type ListenerArtifact,
  type ScoredCandidate,
  type SimilarArtifact,
} from "../../shared/publish/artifacts";
import type { Env } from "./env";
import { enqueueJobs } from "./jobs";
import { loadTrainingSet, type TrainingSet } from "./training-data";
import { finishVersion, markPartWritten, type VersionMetrics } from "./versions";

const TRAINING_SEED = 1;
const CANDIDATES_PER_LISTENER = 300;
const SIMILAR_PER_TRACK = 50;
const HEARD_PER_LISTENER = 500;
/** Sized so one publish job stays far below the 1,000 KV operations a Worker invocation may make. */
const KEYS_PER_PART = 900;
const CHART_LENGTH = 100;
const NEW_RELEASE_DAYS = 30;
/** How many of a listener's recent tracks are searched for the one that explains a candidate. */
const EXPLAINING_HISTORY = 20;

type StagedEntries = [key: string, value: ListenerArtifact | SimilarArtifact][];

/**
 * Trains a version and stages everything it will publish: per-listener candidates and per-track
 * neighbours go to KV in parts, each part then fanned out to its keys by its own publish job.
 */
export async function runTrainJob(env: Env, version: string, now = Date.now()): Promise<void> {
  const set = await loadTrainingSet(env.DB);
  // The version is judged on a holdout by a twin trained without it, then trained on everything.
  const split = holdoutSplit(set.data, { seed: TRAINING_SEED });
  const holdout = evaluate(trainModel(split.train, { seed: TRAINING_SEED }), split);
  const model = trainModel(set.data, { seed: TRAINING_SEED });

  const similar = set.data.items.map((_, item) => model.similarItems(item, SIMILAR_PER_TRACK));
  const entries: StagedEntries = set.data.items.map((trackId, item) => [
    artifactKey.similar(version, trackId),
    { similar: similar[item]!.map((s) => [set.data.items[s.item]!, round(s.score)]) },
  ]);
  set.data.listeners.forEach((listener, l) => {
    entries.push([
      artifactKey.listener(version, listener),
      listenerArtifact(set, l, model.recommend(l, CANDIDATES_PER_LISTENER), similar),
    ]);
  });

  const parts: string[] = [];
  for (let i = 0; i < entries.length; i += KEYS_PER_PART) {
    const part = `part-${parts.length}`;
    await env.MODELS.put(artifactKey.staging(version, part), JSON.stringify(entries.slice(i, i + KEYS_PER_PART)));
    parts.push(part);
  }
  await env.MODELS.put(artifactKey.catalog(version), JSON.stringify(catalogArtifact(set, version)));
  await env.MODELS.put(artifactKey.charts(version), JSON.stringify(await chartsArtifact(env.DB, set, now)));

  await drizzle(env.DB)
    .update(modelVersions)
    .set({
      algorithm: "hybrid",
      partsTotal: parts.length,
      listenerCount: set.data.listeners.length,
      trackCount: set.data.items.length,
      eventCount: set.eventCount,
      metrics: { holdout, blendWeights: model.blendWeights } satisfies VersionMetrics,
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
  similar: { item: number; score: number }[][],
): ListenerArtifact {
  const history = set.history[listener]!;
  // A candidate is explained by the recent history track that lists it as its strongest neighbour.
  const because = new Map<number, { source: number; score: number }>();
  for (const source of history.slice(0, EXPLAINING_HISTORY)) {
    for (const n of similar[source]!) {
      const best = because.get(n.item);
      if (!best || n.score > best.score) because.set(n.item, { source, score: n.score });
    }
  }
  const candidates: ScoredCandidate[] = recommended.map((r) => {
    const source = because.get(r.item)?.source;
    return [set.data.items[r.item]!, round(r.score), source === undefined ? null : set.data.items[source]!];
  });
  return { candidates, heard: history.slice(0, HEARD_PER_LISTENER).map((i) => set.data.items[i]!) };
}

function catalogArtifact(set: TrainingSet, version: string): CatalogArtifact {
  const most = Math.max(1, ...set.listenersPerTrack);
  return {
    version,
    rows: set.tracks.map((t, i) => toCatalogRow({ ...t, popularity: set.listenersPerTrack[i]! / most })),
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
