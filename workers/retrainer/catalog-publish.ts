import { asc, count as rowCount, desc, gt, gte, isNotNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { listeners as listenersTable, tracks } from "../../shared/db/schema";
import { CHART_LENGTH, chartFromEvents, CHART_WINDOW_MS, countRows } from "../../shared/db/queries";
import {
  artifactKey,
  toCatalogRow,
  type BrowseArtifact,
  type CatalogRow,
  type ChartsArtifact,
  type ExplorationArtifact,
  type VersionManifest,
} from "../../shared/publish/artifacts";
import {
  BROWSE_TRACKS,
  catalogShardCount,
  catalogShardOf,
  EXPLORATION_POOLS,
  EXPLORATION_REGIONS,
  explorationPoolItems,
  mostListened,
  regionalPoolIds,
  type RegionalPlays,
} from "../../shared/publish/catalog-layout";
import { encodeKeyedLines } from "../../shared/publish/keyed-lines";
import { DAY_MS } from "../../shared/analytics/days";
import { crowdChart, crowdPlayed } from "../../shared/crowd";
import type { Env } from "./env";
import { tracksById, type ModelIndex } from "./training-data";

/**
 * The catalog side of a version: its manifest, browse set, exploration pools and charts (one small job),
 * and its rows in shards (CATALOG_SHARDS_PER_PART shards a job). The catalog is all of D1's tracks, not
 * the model's index (the tracks some listening names): a track nobody has played yet is published, found
 * and served all the same. No step holds the whole catalog: its ids are read a slice at a time and left in
 * R2 grouped by the part that writes their shards (indexCatalogSlice), and each part reads from D1 only
 * the tracks it writes, by id. What spans the model's index is its listener counts, one number a track.
 */

/** 300 KV writes, and about 19,200 tracks read from D1 in 10 queries, a part. */
export const CATALOG_SHARDS_PER_PART = 300;
/**
 * Track ids read in a step of indexCatalogSlice: about 5 MB of strings held, and one R2 write per part
 * (52 at 1,000,000 tracks), so a step stays far inside a Worker's memory and its 1,000 operations up to
 * about 19,000,000 tracks.
 */
export const CATALOG_IDS_PER_SLICE = 100_000;
const IDS_PER_PAGE = 20_000;
/** How far past its chart a pooled region's plays are read: what its pools draw their regional share from. */
const REGIONAL_PLAYS_READ = 2_000;
const NEW_RELEASE_DAYS = 30;

/** How a version's catalog is cut, fixed by the first of its publishing steps from the tracks D1 held then. */
export interface CatalogPlan {
  tracks: number;
  shards: number;
}

/**
 * Where a version's catalog stands while it is published: how it is cut, and the ids its slices left in R2
 * under `prefix` (see indexCatalogSlice).
 */
export interface PublishedCatalog {
  plan: CatalogPlan;
  prefix: string;
  slices: number;
}

export async function planCatalog(db: D1Database): Promise<CatalogPlan> {
  const held = await countRows(db, tracks);
  return { tracks: held, shards: catalogShardCount(held) };
}

/** How many parts the catalog's shards are written in (see catalogShardEntries). */
export function catalogShardParts(plan: CatalogPlan): number {
  return Math.ceil(plan.shards / CATALOG_SHARDS_PER_PART);
}

/** Where slice `slice` of the catalog's ids keeps those of one part, or those of the exploration pools. */
const sliceKey = (prefix: string, slice: number, name: string) => `${prefix}${slice}/${name}`;
const partName = (part: number) => `part-${part}`;
const POOLS_NAME = "pools";

/**
 * Reads slice `slice` of the catalog's ids, CATALOG_IDS_PER_SLICE in id order from the one after `after`
 * ("" for the first), and leaves them under `prefix` in R2: grouped by the part whose shards hold their
 * rows, and those at the exploration pools' positions (explorationPoolItems over the catalog's id order).
 * Answers the last id read, or null once the whole catalog is read. Tracks imported meanwhile go to the
 * shards their ids hash to, which only makes those shards a little larger.
 */
export async function indexCatalogSlice(
  env: Env,
  prefix: string,
  plan: CatalogPlan,
  slice: number,
  after: string,
): Promise<string | null> {
  const ids: string[] = [];
  for (let last = after; ids.length < CATALOG_IDS_PER_SLICE; last = ids.at(-1)!) {
    const limit = Math.min(IDS_PER_PAGE, CATALOG_IDS_PER_SLICE - ids.length);
    const page = await drizzle(env.DB)
      .select({ id: tracks.id })
      .from(tracks)
      .where(gt(tracks.id, last))
      .orderBy(tracks.id)
      .limit(limit);
    for (const row of page) ids.push(row.id);
    if (page.length < limit) break;
  }
  const parts: string[][] = Array.from({ length: catalogShardParts(plan) }, () => []);
  for (const id of ids) parts[Math.floor(catalogShardOf(id, plan.shards) / CATALOG_SHARDS_PER_PART)]!.push(id);
  const first = slice * CATALOG_IDS_PER_SLICE;
  const pools = Array.from({ length: EXPLORATION_POOLS }, (_, pool) =>
    explorationPoolItems(plan.tracks, pool).flatMap((at) =>
      at >= first && at < first + ids.length ? [ids[at - first]!] : [],
    ),
  );
  await Promise.all([
    ...parts.flatMap((members, part) =>
      members.length > 0 ? [env.ARTIFACTS.put(sliceKey(prefix, slice, partName(part)), JSON.stringify(members))] : [],
    ),
    env.ARTIFACTS.put(sliceKey(prefix, slice, POOLS_NAME), JSON.stringify(pools)),
  ]);
  return ids.length < CATALOG_IDS_PER_SLICE ? null : ids.at(-1)!;
}

/** The catalog planned and read slice by slice in one go, for a publisher that is not a retrain Workflow. */
export async function indexWholeCatalog(env: Env, prefix: string): Promise<PublishedCatalog> {
  const plan = await planCatalog(env.DB);
  let slices = 0;
  for (let after: string | null = ""; after !== null; slices++)
    after = await indexCatalogSlice(env, prefix, plan, slices, after);
  return { plan, prefix, slices };
}

/** What slices [0, slices) left under `name`: one list per slice (empty where a slice left nothing). */
async function sliceLists<T>(env: Env, prefix: string, slices: number, name: string): Promise<T[]> {
  return Promise.all(
    Array.from({ length: slices }, async (_, slice) => {
      const object = await env.ARTIFACTS.get(sliceKey(prefix, slice, name));
      return object ? await object.json<T>() : ([] as T);
    }),
  );
}

/**
 * A track's popularity as published: its listeners (in the trained model's index) relative to the most
 * listened track's; 0 for a track the model did not train on.
 */
export function popularityById(index: ModelIndex, listenersPerTrack: Float64Array): (id: string) => number {
  let most = 1;
  for (const n of listenersPerTrack) if (n > most) most = n;
  const itemOf = new Map(index.items.map((id, item) => [id, item]));
  return (id) => {
    const item = itemOf.get(id);
    return item === undefined ? 0 : listenersPerTrack[item]! / most;
  };
}

/** The catalog rows of these tracks, in their order; a track D1 no longer has is left out. */
export async function catalogRows(
  db: D1Database,
  ids: readonly string[],
  popularity: (id: string) => number,
): Promise<CatalogRow[]> {
  const found = await tracksById(db, ids);
  return ids.flatMap((id) => {
    const track = found.get(id);
    return track ? [toCatalogRow({ ...track, popularity: popularity(id) })] : [];
  });
}

/** Whether each item is in the version's browse set (rows a listener's artefact need not carry). */
export function browseSet(listenersPerTrack: Float64Array): Uint8Array {
  const member = new Uint8Array(listenersPerTrack.length);
  for (const item of mostListened(listenersPerTrack, BROWSE_TRACKS)) member[item] = 1;
  return member;
}

/**
 * Writes a version's manifest, browse set, exploration pools and charts: 3 + EXPLORATION_POOLS x (1 + the
 * pooled regions, at most EXPLORATION_REGIONS) KV writes (360 at most); from D1 a chart query per region,
 * about BROWSE_TRACKS + EXPLORATION_POOLS x EXPLORATION_POOL_TRACKS tracks, and what the regional pools
 * draw (two queries a pooled region). The whole catalog's pools' ids are those the catalog's slices
 * (`slices` of them, under `prefix`) left.
 */
export async function writeCatalogDigest(
  env: Env,
  version: string,
  catalog: PublishedCatalog,
  index: ModelIndex,
  listenersPerTrack: Float64Array,
  similarShards: number,
  now: number,
): Promise<void> {
  const popularity = popularityById(index, listenersPerTrack);
  const { charts, beyondChart } = await chartsOf(env.DB, popularity, now);
  const browseIds = mostListened(listenersPerTrack, BROWSE_TRACKS).map((item) => index.items[item]!);
  const inBrowse = new Set(browseIds);
  const browse: BrowseArtifact = {
    rows: await catalogRows(
      env.DB,
      [...browseIds, ...charts.newReleases.filter((id) => !inBrowse.has(id))],
      popularity,
    ),
  };
  const chartIds = [...new Set([...charts.global, ...Object.values(charts.regions).flat(), ...charts.newReleases])];
  const chartsArtifact: ChartsArtifact = { ...charts, rows: await catalogRows(env.DB, chartIds, popularity) };
  await env.MODELS.put(artifactKey.browse(version), JSON.stringify(browse));
  await env.MODELS.put(artifactKey.charts(version), JSON.stringify(chartsArtifact));
  const pools = await sliceLists<string[][]>(env, catalog.prefix, catalog.slices, POOLS_NAME);
  const dayPools: CatalogRow[][] = [];
  for (let pool = 0; pool < EXPLORATION_POOLS; pool++) {
    const rows = await catalogRows(
      env.DB,
      pools.flatMap((slice) => slice[pool] ?? []),
      popularity,
    );
    dayPools.push(rows);
    await env.MODELS.put(
      artifactKey.exploration(version, pool),
      JSON.stringify({ rows } satisfies ExplorationArtifact),
    );
  }
  const manifest: VersionManifest = {
    tracks: catalog.plan.tracks,
    catalogShards: catalog.plan.shards,
    similarShards,
    explorationPools: EXPLORATION_POOLS,
    explorationRegions: await writeRegionalPools(env, version, dayPools, beyondChart, popularity),
  };
  // Last: a reader that finds the manifest finds what it names (within KV's propagation).
  await env.MODELS.put(artifactKey.manifest(version), JSON.stringify(manifest));
}

/**
 * Each region's daily pools (see regionalPoolIds) from the whole catalog's (`dayPools`) and what the region
 * plays beyond its chart (`beyondChart`, regions with something to explore only); answers their regions.
 * The regional tracks the seven pools drew are read from D1 in one go (at most 3,500 ids: 2 queries).
 */
async function writeRegionalPools(
  env: Env,
  version: string,
  dayPools: readonly CatalogRow[][],
  beyondChart: ReadonlyMap<string, RegionalPlays[]>,
  popularity: (id: string) => number,
): Promise<string[]> {
  const dayRows = dayPools.map((rows) => new Map(rows.map((row) => [row[0], row])));
  const dayIds = dayRows.map((rows) => [...rows.keys()]);
  for (const [region, explorable] of beyondChart) {
    const days = dayIds.map((ids, pool) => regionalPoolIds(ids, explorable, region, pool));
    const played = new Set(explorable.map((p) => p.trackId));
    const drawn = [...new Set(days.flat().filter((id) => played.has(id)))];
    const rowOf = new Map((await catalogRows(env.DB, drawn, popularity)).map((row) => [row[0], row]));
    await Promise.all(
      days.map((ids, pool) => {
        const rows = ids.flatMap((id) => {
          const row = rowOf.get(id) ?? dayRows[pool]!.get(id);
          return row ? [row] : [];
        });
        return env.MODELS.put(
          artifactKey.exploration(version, pool, region),
          JSON.stringify({ rows } satisfies ExplorationArtifact),
        );
      }),
    );
  }
  return [...beyondChart.keys()];
}

/**
 * Shards [part x CATALOG_SHARDS_PER_PART, + CATALOG_SHARDS_PER_PART) of the version's catalog rows, as KV
 * keys and values of one row a line, from the ids the catalog's slices left under `prefix` for this part.
 */
export async function catalogShardEntries(
  env: Env,
  version: string,
  catalog: PublishedCatalog,
  popularity: (id: string) => number,
  part: number,
): Promise<[key: string, json: string][]> {
  const { shards } = catalog.plan;
  const first = part * CATALOG_SHARDS_PER_PART;
  const count = Math.min(CATALOG_SHARDS_PER_PART, shards - first);
  const ids = (await sliceLists<string[]>(env, catalog.prefix, catalog.slices, partName(part))).flat();
  const members: CatalogRow[][] = Array.from({ length: count }, () => []);
  for (const row of await catalogRows(env.DB, ids, popularity))
    members[catalogShardOf(row[0], shards) - first]!.push(row);
  return members.map((rows, n) => [artifactKey.catalogShard(version, first + n), encodeKeyedLines(rows)]);
}

/**
 * The charts, and for the EXPLORATION_REGIONS regions with the most listeners what they play beyond their
 * chart (read on in the same query) wherever some of it is explorable. A region's chart and what it
 * explores are only what enough of its listeners play (crowdChart, crowdPlayed): a region without a chart
 * of its own has nothing beyond it either, and its listeners get the global chart. One query a region, not
 * one for all: each statement holds the runtime the edge shares only for a region's plays.
 */
async function chartsOf(
  db: D1Database,
  popularity: (id: string) => number,
  now: number,
): Promise<{ charts: Omit<ChartsArtifact, "rows">; beyondChart: Map<string, RegionalPlays[]> }> {
  const since = now - CHART_WINDOW_MS;
  const global = (await chartFromEvents(db, { region: null, since, limit: CHART_LENGTH })).map((r) => r.trackId);
  const listeners = rowCount();
  const regionRows = await drizzle(db)
    .select({ region: listenersTable.region, listeners })
    .from(listenersTable)
    .where(isNotNull(listenersTable.region))
    .groupBy(listenersTable.region)
    .orderBy(desc(listeners), asc(listenersTable.region));
  const regions: Record<string, string[]> = {};
  const beyondChart = new Map<string, RegionalPlays[]>();
  for (const [rank, { region }] of regionRows.entries()) {
    if (!region) continue;
    const pooled = rank < EXPLORATION_REGIONS;
    const limit = CHART_LENGTH + (pooled ? REGIONAL_PLAYS_READ : 0);
    const rows = await chartFromEvents(db, { region, since, limit });
    const chart = crowdChart(rows, CHART_LENGTH);
    if (chart) regions[region] = chart;
    const explorable = crowdPlayed(rows.slice(CHART_LENGTH));
    if (explorable.length > 0) beyondChart.set(region, explorable);
  }
  // Every track released lately, played or not: a new release is what nobody has played yet.
  const newSince = new Date(now - NEW_RELEASE_DAYS * DAY_MS).toISOString().slice(0, 10);
  const fresh = await drizzle(db).select({ id: tracks.id }).from(tracks).where(gte(tracks.releaseDate, newSince));
  const newReleases = fresh
    .map((t) => t.id)
    .sort((a, b) => popularity(b) - popularity(a) || a.localeCompare(b))
    .slice(0, CHART_LENGTH);
  return { charts: { global, regions, newReleases }, beyondChart };
}
