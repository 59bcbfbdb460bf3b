import { LRUCache } from "lru-cache";
import {
  artifactKey,
  CURRENT_MODEL_KEY,
  fromCatalogRow,
  type BrowseArtifact,
  type CatalogRow,
  type CatalogShardArtifact,
  type CatalogTrack,
  type ChartsArtifact,
  type ExplorationArtifact,
  type ListenerArtifact,
  type ModelPointer,
  type SimilarList,
  type SimilarShardArtifact,
  similarShardOf,
  type VersionManifest,
} from "../../shared/publish/artifacts";
import { explorationPoolOf, idsByShard } from "../../shared/publish/catalog-layout";
import type { Env } from "./env";

/**
 * Read side of the published model. The pointer is held for MODEL_POINTER_TTL_MS; every other artefact
 * is immutable within its version, so what a request reads is held in one cache bounded by size, the
 * least recently used dropped first: the isolate holds the shards its requests need, never a catalog.
 */
let pointerCache: { pointer: ModelPointer | null; readAt: number } | undefined;

export async function currentModel(env: Env, now = Date.now()): Promise<ModelPointer | null> {
  const ttl = Number(env.MODEL_POINTER_TTL_MS);
  if (pointerCache && now - pointerCache.readAt < ttl) return pointerCache.pointer;
  const pointer = await env.MODELS.get<ModelPointer>(CURRENT_MODEL_KEY, "json");
  pointerCache = { pointer, readAt: now };
  return pointer;
}

/**
 * What the caches may hold, estimated as JSON characters read times HELD_BYTES_PER_CHAR (parsed rows are
 * objects, larger than their text): well under the 128 MB an isolate has, with room for requests. A
 * version's own artefacts (manifest, browse set, pools, charts: a few, read by every request) are held
 * apart from the per-key ones (shards, listeners), so a churn of listeners never evicts a browse set that
 * costs a 1.3 MB read to get back.
 */
const VERSION_HELD_BYTES = 24 * 2 ** 20;
const KEYS_HELD_BYTES = 32 * 2 ** 20;
const HELD_BYTES_PER_CHAR = 3;
/**
 * A listener's candidates are held no longer than KV's own edge cache may serve them after an erasure or a
 * consent withdrawal deletes them (60 s), so an isolate never outlives what KV would show.
 */
const LISTENER_HELD_MS = 60_000;

interface Held {
  value: unknown;
  bytes: number;
  /** Set when the key was missing: see `held`. */
  missedAt?: number;
}

interface Read {
  env: Env;
  build: (json: unknown) => unknown;
}

function heldCache(maxSize: number) {
  return new LRUCache<string, Held, Read>({
    maxSize,
    sizeCalculation: (held) => held.bytes,
    fetchMethod: async (key, _stale, { context: { env, build } }) => {
      const text = await env.MODELS.get(key, "text");
      return {
        value: build(text === null ? null : JSON.parse(text)),
        bytes: Math.max(256, (text?.length ?? 0) * HELD_BYTES_PER_CHAR),
        ...(text === null ? { missedAt: Date.now() } : {}),
      };
    },
  });
}

const versionCache = heldCache(VERSION_HELD_BYTES);
const keyCache = heldCache(KEYS_HELD_BYTES);

/**
 * The artefact at `key` as `build` makes it, read once and held. A missing one is held only as long as the
 * pointer: KV may show the pointer before the artefacts it names, and a version must not serve without
 * them for its whole life over that.
 */
async function held<A, V>(
  env: Env,
  key: string,
  build: (artifact: A | null) => V,
  { cache = keyCache, ttl }: { cache?: typeof keyCache; ttl?: number } = {},
): Promise<V> {
  const known = cache.peek(key);
  if (known?.missedAt !== undefined && Date.now() - known.missedAt >= Number(env.MODEL_POINTER_TTL_MS)) {
    cache.delete(key);
  }
  const read = await cache.fetch(key, { context: { env, build: build as (json: unknown) => unknown }, ttl });
  return read!.value as V;
}

const tracksOf = (rows: readonly CatalogRow[] | undefined): Map<string, CatalogTrack> =>
  new Map((rows ?? []).map((row) => [row[0], fromCatalogRow(row)]));

export function versionManifest(env: Env, version: string): Promise<VersionManifest | null> {
  return held<VersionManifest, VersionManifest | null>(env, artifactKey.manifest(version), (m) => m, {
    cache: versionCache,
  });
}

/** The version's browse set (see BrowseArtifact); empty when the version has none. */
export function browseTracks(env: Env, version: string): Promise<ReadonlyMap<string, CatalogTrack>> {
  return held<BrowseArtifact, ReadonlyMap<string, CatalogTrack>>(
    env,
    artifactKey.browse(version),
    (a) => tracksOf(a?.rows),
    { cache: versionCache },
  );
}

/** The rows of these tracks, from the catalog shards that hold them; an id the version lacks is left out. */
export async function catalogTracks(
  env: Env,
  version: string,
  ids: Iterable<string>,
): Promise<Map<string, CatalogTrack>> {
  const found = new Map<string, CatalogTrack>();
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return found;
  const manifest = await versionManifest(env, version);
  if (!manifest) return found;
  await Promise.all(
    [...idsByShard(wanted, manifest.catalogShards)].map(async ([shard, shardIds]) => {
      const rows = await held<CatalogShardArtifact, Map<string, CatalogTrack>>(
        env,
        artifactKey.catalogShard(version, shard),
        (a) => tracksOf(a ?? []),
      );
      for (const id of shardIds) {
        const track = rows.get(id);
        if (track) found.set(id, track);
      }
    }),
  );
  return found;
}

/** Today's exploration pool of the version: tracks drawn evenly from its whole catalog. */
export async function explorationTracks(env: Env, version: string, now: number): Promise<CatalogTrack[]> {
  const manifest = await versionManifest(env, version);
  if (!manifest) return [];
  const pool = explorationPoolOf(now, manifest.explorationPools);
  return held<ExplorationArtifact, CatalogTrack[]>(
    env,
    artifactKey.exploration(version, pool),
    (a) => (a?.rows ?? []).map(fromCatalogRow),
    { cache: versionCache },
  );
}

export interface PublishedCharts {
  charts: ChartsArtifact;
  /** The tracks the charts name. */
  tracks: ReadonlyMap<string, CatalogTrack>;
}

export function charts(env: Env, version: string): Promise<PublishedCharts | null> {
  return held<ChartsArtifact, PublishedCharts | null>(
    env,
    artifactKey.charts(version),
    (a) => (a ? { charts: a, tracks: tracksOf(a.rows) } : null),
    { cache: versionCache },
  );
}

export interface ListenerCandidates extends ListenerArtifact {
  /** The rows the artefact carried: its candidates outside the browse set. */
  tracks: ReadonlyMap<string, CatalogTrack>;
}

export function listenerCandidates(env: Env, version: string, listener: string): Promise<ListenerCandidates | null> {
  return held<ListenerArtifact, ListenerCandidates | null>(
    env,
    artifactKey.listener(version, listener),
    (a) => a && { ...a, tracks: tracksOf(a.rows) },
    { ttl: LISTENER_HELD_MS },
  );
}

/** Forgets what this isolate holds of a listener's candidates, of any version, as their erasure deletes them. */
export function forgetListener(listener: string): void {
  const suffix = artifactKey.listener("", listener).slice(artifactKey.versionPrefix("").length);
  for (const key of [...keyCache.keys()]) if (key.endsWith(`:${suffix}`)) keyCache.delete(key);
}

/** A track's published neighbours, best first; null when the version has none for it. */
export async function similarTracks(env: Env, version: string, trackId: string): Promise<SimilarList | null> {
  const manifest = await versionManifest(env, version);
  if (!manifest || manifest.similarShards === 0) return null;
  const key = artifactKey.similarShard(version, similarShardOf(trackId, manifest.similarShards));
  const shard = await held<SimilarShardArtifact, SimilarShardArtifact | null>(env, key, (s) => s);
  // Own keys only: an id such as "constructor" must not find the object's prototype.
  return shard && Object.hasOwn(shard, trackId) ? shard[trackId]! : null;
}
