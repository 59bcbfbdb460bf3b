import { gte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { listeners as listenersTable, tracks } from "../../shared/db/schema";
import { chartFromEvents, CHART_WINDOW_MS } from "../../shared/db/queries";
import { trackFromRow } from "../../shared/db/rows";
import type { Track } from "../../shared/catalog/types";
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
  EXPLORATION_POOLS,
  explorationPoolItems,
  mostListened,
  shardMembers,
} from "../../shared/publish/catalog-layout";
import { encodeKeyedLines } from "../../shared/publish/keyed-lines";
import { DAY_MS } from "../../shared/analytics/days";
import type { Env } from "./env";
import type { ModelIndex } from "./training-data";

/**
 * The catalog side of a version: its manifest, browse set, exploration pools and charts (one small job),
 * and its rows in shards (CATALOG_SHARDS_PER_PART shards a job). No step holds the whole catalog: each
 * reads from D1 only the tracks it writes, by id; what spans the catalog is the model's listener counts,
 * one number a track.
 */

/** 300 KV writes, and about 19,200 tracks read from D1 in 10 queries, a part. */
export const CATALOG_SHARDS_PER_PART = 300;
const CHART_LENGTH = 100;
const NEW_RELEASE_DAYS = 30;
/** Ids bound as one JSON parameter a query: about 40 KB of text, well under D1's 2 MB a value. */
const IDS_PER_QUERY = 2_000;

/** A track's popularity as published: its listeners relative to the most listened track's. */
export function popularityScale(listenersPerTrack: Float64Array): (item: number) => number {
  let most = 1;
  for (const n of listenersPerTrack) if (n > most) most = n;
  return (item) => listenersPerTrack[item]! / most;
}

/** How many parts the catalog's shards are written in (see catalogShardEntries). */
export function catalogShardParts(index: ModelIndex): number {
  return Math.ceil(catalogShardCount(index.items.length) / CATALOG_SHARDS_PER_PART);
}

/** The D1 tracks with these ids; an id D1 lacks is left out. */
export async function tracksById(db: D1Database, ids: readonly string[]): Promise<Map<string, Track>> {
  const found = new Map<string, Track>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = JSON.stringify(ids.slice(i, i + IDS_PER_QUERY));
    const rows = await drizzle(db)
      .select()
      .from(tracks)
      .where(sql`${tracks.id} IN (SELECT value FROM json_each(${chunk}))`);
    for (const row of rows) found.set(row.id, trackFromRow(row));
  }
  return found;
}

/** The catalog rows of these items, in their order; an item whose track left D1 since training is a fault. */
export async function catalogRows(
  db: D1Database,
  index: ModelIndex,
  items: readonly number[],
  popularity: (item: number) => number,
): Promise<CatalogRow[]> {
  const found = await tracksById(
    db,
    items.map((item) => index.items[item]!),
  );
  return items.map((item) => {
    const track = found.get(index.items[item]!);
    if (!track) throw new Error(`track ${index.items[item]} of the trained model is gone from the catalog`);
    return toCatalogRow({ ...track, popularity: popularity(item) });
  });
}

/** Whether each item is in the version's browse set (rows a listener's artefact need not carry). */
export function browseSet(listenersPerTrack: Float64Array): Uint8Array {
  const member = new Uint8Array(listenersPerTrack.length);
  for (const item of mostListened(listenersPerTrack, BROWSE_TRACKS)) member[item] = 1;
  return member;
}

/**
 * Writes a version's manifest, browse set, exploration pools and charts: 3 + EXPLORATION_POOLS KV writes,
 * and about BROWSE_TRACKS + EXPLORATION_POOLS x EXPLORATION_POOL_TRACKS tracks read from D1.
 */
export async function writeCatalogDigest(
  env: Env,
  version: string,
  index: ModelIndex,
  listenersPerTrack: Float64Array,
  similarShards: number,
  now: number,
): Promise<void> {
  const popularity = popularityScale(listenersPerTrack);
  const charts = await chartsOf(env.DB, index, listenersPerTrack, now);
  const newReleases = charts.newReleases;
  const browseItems = mostListened(listenersPerTrack, BROWSE_TRACKS);
  const inBrowse = new Set(browseItems);
  const itemOf = itemsByIdOf(index, newReleases);
  const browse: BrowseArtifact = {
    rows: await catalogRows(
      env.DB,
      index,
      [
        ...browseItems,
        ...newReleases.flatMap((id) => {
          const item = itemOf.get(id);
          return item !== undefined && !inBrowse.has(item) ? [item] : [];
        }),
      ],
      popularity,
    ),
  };
  const chartIds = [...new Set([...charts.global, ...Object.values(charts.regions).flat(), ...newReleases])];
  const chartItems = itemsByIdOf(index, chartIds);
  const chartsArtifact: ChartsArtifact = {
    ...charts,
    rows: await catalogRows(env.DB, index, [...chartItems.values()], popularity),
  };
  const manifest: VersionManifest = {
    tracks: index.items.length,
    catalogShards: catalogShardCount(index.items.length),
    similarShards,
    explorationPools: EXPLORATION_POOLS,
  };
  await env.MODELS.put(artifactKey.browse(version), JSON.stringify(browse));
  await env.MODELS.put(artifactKey.charts(version), JSON.stringify(chartsArtifact));
  for (let pool = 0; pool < EXPLORATION_POOLS; pool++) {
    const rows = await catalogRows(env.DB, index, explorationPoolItems(index.items.length, pool), popularity);
    await env.MODELS.put(
      artifactKey.exploration(version, pool),
      JSON.stringify({ rows } satisfies ExplorationArtifact),
    );
  }
  // Last: a reader that finds the manifest finds what it names (within KV's propagation).
  await env.MODELS.put(artifactKey.manifest(version), JSON.stringify(manifest));
}

/** Shards [first, first + count) of the version's catalog rows, as KV keys and values of one row a line. */
export async function catalogShardEntries(
  env: Env,
  version: string,
  index: ModelIndex,
  listenersPerTrack: Float64Array,
  part: number,
): Promise<[key: string, json: string][]> {
  const shards = catalogShardCount(index.items.length);
  const first = part * CATALOG_SHARDS_PER_PART;
  const count = Math.min(CATALOG_SHARDS_PER_PART, shards - first);
  const members = shardMembers(index.items, shards, first, count);
  const rows = await catalogRows(env.DB, index, members.flat(), popularityScale(listenersPerTrack));
  let next = 0;
  return members.map((shard, n) => {
    return [artifactKey.catalogShard(version, first + n), encodeKeyedLines(rows.slice(next, (next += shard.length)))];
  });
}

/** The item of each id the index has, in one pass over the index (no id-to-item map of the whole catalog). */
function itemsByIdOf(index: ModelIndex, ids: readonly string[]): Map<string, number> {
  const wanted = new Set(ids);
  const found = new Map<string, number>();
  for (let item = 0; item < index.items.length && found.size < wanted.size; item++) {
    if (wanted.has(index.items[item]!)) found.set(index.items[item]!, item);
  }
  // In the order asked for, so a chart's rows read as the chart does.
  return new Map(ids.flatMap((id) => (found.has(id) ? [[id, found.get(id)!] as const] : [])));
}

async function chartsOf(
  db: D1Database,
  index: ModelIndex,
  listenersPerTrack: Float64Array,
  now: number,
): Promise<Omit<ChartsArtifact, "rows">> {
  const since = now - CHART_WINDOW_MS;
  const global = (await chartFromEvents(db, { region: null, since, limit: CHART_LENGTH })).map((r) => r.trackId);
  const regionRows = await drizzle(db).selectDistinct({ region: listenersTable.region }).from(listenersTable);
  const regions: Record<string, string[]> = {};
  for (const { region } of regionRows) {
    if (!region) continue;
    regions[region] = (await chartFromEvents(db, { region, since, limit: CHART_LENGTH })).map((r) => r.trackId);
  }
  const newSince = new Date(now - NEW_RELEASE_DAYS * DAY_MS).toISOString().slice(0, 10);
  const fresh = await drizzle(db).select({ id: tracks.id }).from(tracks).where(gte(tracks.releaseDate, newSince));
  const items = itemsByIdOf(
    index,
    fresh.map((t) => t.id),
  );
  const newReleases = [...items]
    .sort(([a, i], [b, j]) => listenersPerTrack[j]! - listenersPerTrack[i]! || a.localeCompare(b))
    .slice(0, CHART_LENGTH)
    .map(([id]) => id);
  return { global, regions, newReleases };
}
