import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../shared/db/schema";
import type { TrainedModel, TrainingOutcome } from "../../shared/model";
import {
  artifactKey,
  type CatalogRow,
  type ListenerArtifact,
  type ScoredCandidate,
  type SimilarEntry,
  similarShardCount,
  similarShardOf,
} from "../../shared/publish/artifacts";
import { listenerCounts } from "../../shared/model/popularity";
import { encodeKeyedLines } from "../../shared/publish/keyed-lines";
import { mapYielding } from "../../shared/util/sliced";
import {
  browseSet,
  catalogRows,
  catalogShardEntries,
  catalogShardParts,
  popularityById,
  writeCatalogDigest,
  type PublishedCatalog,
} from "./catalog-publish";
import type { Env } from "./env";
import { erasedSince } from "./holdout-scores";
import { countEvents, loadHistories, withdrawnListeners, type ModelIndex } from "./training-data";

/**
 * The artefacts a version serves, computed from its finished model and written to KV: the catalog's manifest,
 * browse set, exploration pools and charts (readyVersion), then the per-key shards and lists part by part
 * (publishPart). The retrain Workflow's publishing steps (retrain/publish-version.ts, retrain/publish-part.ts)
 * call these.
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
/** How many of a listener's recent tracks are searched for the one that explains a candidate. */
const EXPLAINING_HISTORY = 20;
/**
 * Listeners ranked, or neighbour-list shards built, between two moments a part hands the runtime back (see
 * mapYielding): a few milliseconds of work at Last.fm's size.
 */
const LISTENERS_BETWEEN_YIELDS = 3;
const SHARDS_BETWEEN_YIELDS = 5;

/**
 * How a version's keys are cut into parts: catalog shards first (the whole catalog's), then neighbour-list
 * shards (the model's tracks), then listeners.
 */
function partPlan(index: ModelIndex, catalog: PublishedCatalog) {
  const catalogParts = catalogShardParts(catalog.plan);
  const similarShards = similarShardCount(index.items.length);
  const shardParts = Math.ceil(similarShards / SHARDS_PER_PART);
  const listenerParts = Math.ceil(index.listeners.length / LISTENERS_PER_PART);
  return { catalogParts, similarShards, shardParts, total: catalogParts + shardParts + listenerParts };
}

/**
 * Writes what a version serves besides its per-key lists (its manifest, browse set, exploration pools and
 * charts), records its counts and answers how many parts publishPart then writes. Popularity is the number
 * of training listeners with positive evidence for a track, which the model's signed matrix holds.
 */
export async function readyVersion(
  env: Env,
  version: string,
  index: ModelIndex,
  outcome: TrainingOutcome,
  catalog: PublishedCatalog,
  now: number,
): Promise<number> {
  const plan = partPlan(index, catalog);
  await writeCatalogDigest(env, version, catalog, index, listenerCounts(outcome.rows.signed), plan.similarShards, now);
  await drizzle(env.DB)
    .update(modelVersions)
    .set({
      algorithm: "hybrid",
      partsTotal: plan.total,
      listenerCount: index.listeners.length,
      trackCount: catalog.plan.tracks,
      eventCount: await countEvents(env.DB),
    })
    .where(eq(modelVersions.version, version));
  return plan.total;
}

/**
 * Writes part `part` of a version's keys from the finished model: CATALOG_SHARDS_PER_PART shards of catalog
 * rows (see catalogShardOf), SHARDS_PER_PART shards of neighbour lists (see similarShardOf), or
 * LISTENERS_PER_PART listeners' candidate lists with the histories read from D1 for them alone. So no step
 * holds more than one part's entries, or does more than one part's scoring.
 */
export async function publishPart(
  env: Env,
  version: string,
  index: ModelIndex,
  outcome: TrainingOutcome,
  model: TrainedModel,
  catalog: PublishedCatalog,
  part: number,
): Promise<void> {
  const entries = await partEntries(env, version, index, model, listenerCounts(outcome.rows.signed), catalog, part);
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
  listenersPerTrack: Float64Array,
  catalog: PublishedCatalog,
  part: number,
): Promise<[key: string, json: string][]> {
  const { items, listeners } = index;
  const plan = partPlan(index, catalog);
  const popularity = popularityById(index, listenersPerTrack);
  const similarTo = (item: number) => model.similarItems(item, SIMILAR_PER_TRACK);
  if (part < plan.catalogParts) return catalogShardEntries(env, version, catalog, popularity, part);
  part -= plan.catalogParts;
  if (part < plan.shardParts) {
    const first = part * SHARDS_PER_PART;
    const shards = Math.min(SHARDS_PER_PART, plan.similarShards - first);
    const members: number[][] = Array.from({ length: shards }, () => []);
    items.forEach((id, item) => members[similarShardOf(id, plan.similarShards) - first]?.push(item));
    return mapYielding(members, SHARDS_BETWEEN_YIELDS, (shard, n) => [
      artifactKey.similarShard(version, first + n),
      encodeKeyedLines(
        shard.map((item): SimilarEntry => [items[item]!, similarTo(item).map((s) => [items[s.item]!, round(s.score)])]),
      ),
    ]);
  }
  const first = (part - plan.shardParts) * LISTENERS_PER_PART;
  const last = Math.min(first + LISTENERS_PER_PART, listeners.length) - 1;
  const histories = await loadHistories(env.DB, index, first, last);
  // A listener who withdrew personalization consent since training began gets no candidates either.
  const withdrawn = await withdrawnListeners(env.DB, listeners[first]!, listeners[last]!);
  const published = (
    await mapYielding(histories, LISTENERS_BETWEEN_YIELDS, (history, n) =>
      withdrawn.has(listeners[first + n]!)
        ? []
        : [
            {
              listener: listeners[first + n]!,
              history,
              recommended: model.recommend(first + n, CANDIDATES_PER_LISTENER),
            },
          ],
    )
  ).flat();
  // The rows of the part's candidates outside the browse set, read from D1 once for the whole part.
  const inBrowse = browseSet(listenersPerTrack);
  const outside = [...new Set(published.flatMap((p) => p.recommended.map((r) => r.item)))].filter((i) => !inBrowse[i]);
  const rows = await catalogRows(
    env.DB,
    outside.map((item) => items[item]!),
    popularity,
  );
  if (rows.length < outside.length) throw new Error("a track of the trained model is gone from the catalog");
  const rowOf = new Map(outside.map((item, n) => [item, rows[n]!]));
  return mapYielding(published, LISTENERS_BETWEEN_YIELDS * 3, ({ listener, history, recommended }) => [
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
