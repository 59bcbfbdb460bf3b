import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { chartFromEvents, CHART_WINDOW_MS } from "../../shared/db/queries";
import { listeners, modelVersions } from "../../shared/db/schema";
import type { TrainedModel, TrainingOutcome } from "../../shared/model";
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
import type { Track } from "../../shared/catalog/types";
import { listenerCounts } from "../../shared/model/popularity";
import type { Env } from "./env";
import { erasedSince } from "./holdout-scores";
import { countEvents, loadHistories, loadTracks, withdrawnListeners, type ModelIndex } from "./training-data";

/**
 * The artefacts a version serves, computed from its finished model and written to KV: the catalog snapshot
 * and charts (readyVersion), then the per-key lists part by part (publishPart). The retrain Workflow's
 * publishing steps (retrain/publish-version.ts, retrain/publish-part.ts) call these.
 */

const CANDIDATES_PER_LISTENER = 300;
const SIMILAR_PER_TRACK = 50;
const HEARD_PER_LISTENER = 500;
/**
 * A part's KV operations stay below the 1,000 a Worker invocation may make: its keys, and as many deletes
 * again at worst (erasures during the write). A part is a step of the retrain Workflow, sized to a second
 * or two of CPU, so the local runtime the edge shares is not held for long (100 listeners at 3.5 ms each at
 * 5,000,000 interactions). A listener's list is about 11 KB of JSON and a shard about 30 KB.
 */
const LISTENERS_PER_PART = 100;
const SHARDS_PER_PART = 100;
const CHART_LENGTH = 100;
const NEW_RELEASE_DAYS = 30;
/** How many of a listener's recent tracks are searched for the one that explains a candidate. */
const EXPLAINING_HISTORY = 20;

/** How a version's keys are cut into parts: neighbour-list shards first, then listeners. */
function partPlan(index: ModelIndex) {
  const similarShards = similarShardCount(index.items.length);
  const shardParts = Math.ceil(similarShards / SHARDS_PER_PART);
  const listenerParts = Math.ceil(index.listeners.length / LISTENERS_PER_PART);
  return { similarShards, shardParts, total: shardParts + listenerParts };
}

/**
 * Writes what a version serves besides its per-key lists (the catalog snapshot and the charts), records its
 * counts and answers how many parts publishPart then writes. Popularity is the number of training listeners
 * with positive evidence for a track, which the model's signed matrix holds.
 */
export async function readyVersion(
  env: Env,
  version: string,
  index: ModelIndex,
  outcome: TrainingOutcome,
  now: number,
): Promise<number> {
  const plan = partPlan(index);
  const tracks = await loadTracks(env.DB, index.items);
  const listenersPerTrack = listenerCounts(outcome.rows.signed);
  await env.MODELS.put(
    artifactKey.catalog(version),
    JSON.stringify(catalogArtifact(tracks, listenersPerTrack, version, plan.similarShards)),
  );
  await env.MODELS.put(
    artifactKey.charts(version),
    JSON.stringify(await chartsArtifact(env.DB, tracks, listenersPerTrack, now)),
  );
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
  return plan.total;
}

/**
 * Writes part `part` of a version's keys from the finished model: SHARDS_PER_PART shards of neighbour lists
 * (see similarShardOf), or LISTENERS_PER_PART listeners' candidate lists with the histories read from D1 for
 * them alone. So no step holds more than one part's entries, or does more than one part's scoring.
 */
export async function publishPart(
  env: Env,
  version: string,
  index: ModelIndex,
  model: TrainedModel,
  part: number,
): Promise<void> {
  const entries = await partEntries(env, version, index, model, part);
  const erased = await erasedListenerKeys(env, version);
  const written = entries.filter(([key]) => !erased.has(key));
  await Promise.all(written.map(([key, value]) => env.MODELS.put(key, value)));
  // An erasure that landed while this part was being written must not be undone by it.
  const erasedSince = await erasedListenerKeys(env, version);
  await Promise.all(written.filter(([key]) => erasedSince.has(key)).map(([key]) => env.MODELS.delete(key)));
}

/** A part's keys and their values as JSON, each value turned into text as soon as it is built. */
async function partEntries(
  env: Env,
  version: string,
  index: ModelIndex,
  model: TrainedModel,
  part: number,
): Promise<[key: string, json: string][]> {
  const { items, listeners } = index;
  const plan = partPlan(index);
  const similarTo = (item: number) => model.similarItems(item, SIMILAR_PER_TRACK);
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
  return histories.flatMap((history, n): [string, string][] =>
    withdrawn.has(listeners[first + n]!)
      ? []
      : [
          [
            artifactKey.listener(version, listeners[first + n]!),
            JSON.stringify(
              listenerArtifact(items, history, model.recommend(first + n, CANDIDATES_PER_LISTENER), similarTo),
            ),
          ],
        ],
  );
}

/** A listener's candidates, each with the history track that explains it, and what they have heard. */
function listenerArtifact(
  items: string[],
  history: number[],
  recommended: { item: number; score: number }[],
  similarTo: (item: number) => { item: number; score: number }[],
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
  return { candidates, heard: history.slice(0, HEARD_PER_LISTENER).map((i) => items[i]!) };
}

function catalogArtifact(
  tracks: Track[],
  listenersPerTrack: Float64Array,
  version: string,
  similarShards: number,
): CatalogArtifact {
  // A loop, not a spread: a large catalogue would be more arguments than a call may take.
  const most = listenersPerTrack.reduce((max, n) => Math.max(max, n), 1);
  return {
    version,
    rows: tracks.map((t, i) => toCatalogRow({ ...t, popularity: listenersPerTrack[i]! / most })),
    similarShards,
  };
}

async function chartsArtifact(
  db: D1Database,
  tracks: Track[],
  listenersPerTrack: Float64Array,
  now: number,
): Promise<ChartsArtifact> {
  const since = now - CHART_WINDOW_MS;
  const global = (await chartFromEvents(db, { region: null, since, limit: CHART_LENGTH })).map((r) => r.trackId);
  const regionRows = await drizzle(db).selectDistinct({ region: listeners.region }).from(listeners);
  const regions: Record<string, string[]> = {};
  for (const { region } of regionRows) {
    if (!region) continue;
    regions[region] = (await chartFromEvents(db, { region, since, limit: CHART_LENGTH })).map((r) => r.trackId);
  }
  const newSince = new Date(now - NEW_RELEASE_DAYS * 24 * 3600 * 1000).toISOString().slice(0, 10);
  const newReleases = tracks
    .map((t, i) => ({ t, listeners: listenersPerTrack[i]! }))
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
  return new Set([...(await erasedSince(env.DB, version))].map((id) => artifactKey.listener(version, id)));
}
