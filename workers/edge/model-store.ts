import { LRUCache } from "lru-cache";
import {
  artifactKey,
  CURRENT_MODEL_KEY,
  fromCatalogRow,
  type BrowseArtifact,
  type CatalogRow,
  type CatalogTrack,
  type ChartsArtifact,
  type ExplorationArtifact,
  type ListenerArtifact,
  type ModelPointer,
  type SimilarList,
  type SimilarEntry,
  similarShardOf,
  type VersionManifest,
} from "../../shared/publish/artifacts";
import { explorationPoolOf, idsByShard } from "../../shared/publish/catalog-layout";
import { findKeyedLine } from "../../shared/publish/keyed-lines";
import type { Env } from "./env";

/**
 * Read side of the published model. The pointer is held for MODEL_POINTER_TTL_MS; every other artefact
 * is immutable within its version, so what a request reads is held in caches bounded by size, the least
 * recently used dropped first: the isolate holds the shards its requests need, never a catalog.
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
 * What the caches may hold, in bytes of the isolate's heap, together well under the 64 MB this edge allows
 * itself of the 128 MB an isolate has. A version's own artefacts (manifest, browse set, charts and the day's
 * pools, the whole catalog's and those of the regions asked for: read by every request) are held parsed,
 * apart from the per-key ones, so a churn of listeners never evicts a browse set that costs a 1.3 MB read
 * to get back. Per-key artefacts (a listener's candidates, the shards) are held as the text KV gave, one
 * string each and no objects: a collection never walks them, a shard costs its length, and a request parses
 * only what it uses (see keyed-lines.ts).
 */
const VERSION_HELD_BYTES = 16 * 2 ** 20;
const LISTENERS_HELD_BYTES = 32 * 2 ** 20;
const SHARDS_HELD_BYTES = 8 * 2 ** 20;
/** A parsed artefact's heap against its JSON text: rows become arrays, objects and boxed numbers. */
const PARSED_BYTES_PER_CHAR = 4;
/**
 * A listener's candidates are held no longer than KV's own edge cache may serve them after an erasure or a
 * consent withdrawal deletes them (60 s), so an isolate never outlives what KV would show.
 */
const LISTENER_HELD_MS = 60_000;

/** The heap a string takes: one byte a character while all are Latin-1, two otherwise, and its header. */
function stringBytes(text: string): number {
  // eslint-disable-next-line no-control-regex
  return (/[^\u0000-\u00ff]/.test(text) ? 2 : 1) * text.length + 16;
}

/** Keys one KV call may read at once (a bulk get). */
const KV_BULK_KEYS = 100;

interface Held {
  value: unknown;
  bytes: number;
  /** Set when the key was missing: see HeldArtifacts. */
  missedAt?: number;
}

interface Read {
  env: Env;
  build: (text: string | null) => unknown;
}

/**
 * Artefacts read from KV and held, each as `build` makes it from its text (null when missing) and priced by
 * `bytesOf`, the least recently used dropped first. A missing one is held only as long as the pointer: KV
 * may show the pointer before the artefacts it names, and a version must not serve without them for its
 * whole life over that.
 */
class HeldArtifacts {
  readonly #cache: LRUCache<string, Held, Read>;
  readonly #bytesOf: (text: string) => number;

  constructor(maxSize: number, bytesOf: (text: string) => number) {
    this.#bytesOf = bytesOf;
    this.#cache = new LRUCache<string, Held, Read>({
      maxSize,
      sizeCalculation: (held) => held.bytes,
      fetchMethod: async (key, _stale, { context: { env, build } }) =>
        this.#held(await env.MODELS.get(key, "text"), build),
    });
  }

  /** The artefact at `key`, read once and held (for `ttl` ms when given). */
  async one<V>(env: Env, key: string, build: (text: string | null) => V, ttl?: number): Promise<V> {
    this.#forgetStaleMiss(env, key);
    return (await this.#cache.fetch(key, { context: { env, build }, ttl }))!.value as V;
  }

  /** The artefacts at `keys`: those not held are read in one KV call per KV_BULK_KEYS, all at once. */
  async many<V>(env: Env, keys: readonly string[], build: (text: string | null) => V): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    const missing: string[] = [];
    for (const key of keys) {
      this.#forgetStaleMiss(env, key);
      const known = this.#cache.get(key);
      if (known) found.set(key, known.value as V);
      else missing.push(key);
    }
    const batches = Array.from({ length: Math.ceil(missing.length / KV_BULK_KEYS) }, (_, n) =>
      missing.slice(n * KV_BULK_KEYS, (n + 1) * KV_BULK_KEYS),
    );
    await Promise.all(
      batches.map(async (batch) => {
        const texts = await env.MODELS.get(batch, "text");
        for (const key of batch) {
          const held = this.#held(texts.get(key) ?? null, build);
          this.#cache.set(key, held);
          found.set(key, held.value as V);
        }
      }),
    );
    return found;
  }

  /** Forgets every held key that `matches`. */
  forget(matches: (key: string) => boolean): void {
    for (const key of [...this.#cache.keys()]) if (matches(key)) this.#cache.delete(key);
  }

  #held(text: string | null, build: (text: string | null) => unknown): Held {
    return {
      value: build(text),
      bytes: Math.max(256, text === null ? 0 : this.#bytesOf(text)),
      ...(text === null ? { missedAt: Date.now() } : {}),
    };
  }

  #forgetStaleMiss(env: Env, key: string): void {
    const known = this.#cache.peek(key);
    if (known?.missedAt !== undefined && Date.now() - known.missedAt >= Number(env.MODEL_POINTER_TTL_MS)) {
      this.#cache.delete(key);
    }
  }
}

const versionArtifacts = new HeldArtifacts(VERSION_HELD_BYTES, (text) => text.length * PARSED_BYTES_PER_CHAR);
const listenerArtifacts = new HeldArtifacts(LISTENERS_HELD_BYTES, stringBytes);
const shards = new HeldArtifacts(SHARDS_HELD_BYTES, stringBytes);

/** An artefact of the version held parsed, made by `build` from its JSON (null when missing). */
function heldParsed<A, V>(env: Env, key: string, build: (artifact: A | null) => V): Promise<V> {
  return versionArtifacts.one(env, key, (text) => build(text === null ? null : (JSON.parse(text) as A)));
}

const asText = (text: string | null) => text;

const tracksOf = (rows: readonly CatalogRow[] | undefined): Map<string, CatalogTrack> =>
  new Map((rows ?? []).map((row) => [row[0], fromCatalogRow(row)]));

export function versionManifest(env: Env, version: string): Promise<VersionManifest | null> {
  return heldParsed<VersionManifest, VersionManifest | null>(env, artifactKey.manifest(version), (m) => m);
}

/** The version's browse set (see BrowseArtifact); empty when the version has none. */
export function browseTracks(env: Env, version: string): Promise<ReadonlyMap<string, CatalogTrack>> {
  return heldParsed<BrowseArtifact, ReadonlyMap<string, CatalogTrack>>(env, artifactKey.browse(version), (a) =>
    tracksOf(a?.rows),
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
  const byShard = [...idsByShard(wanted, manifest.catalogShards)].map(
    ([shard, shardIds]) => [artifactKey.catalogShard(version, shard), shardIds] as const,
  );
  const texts = await shards.many(
    env,
    byShard.map(([key]) => key),
    asText,
  );
  for (const [key, shardIds] of byShard) {
    const text = texts.get(key);
    if (!text) continue;
    for (const id of shardIds) {
      const row = findKeyedLine<CatalogRow>(text, id);
      if (row) found.set(id, fromCatalogRow(row));
    }
  }
  return found;
}

/**
 * Today's exploration pool of the version: the region's where it has pools of its own, else tracks drawn
 * evenly from its whole catalog. A pool held is about 0.7 MB parsed: beside the browse set and the charts
 * about fourteen fit the version's budget; an isolate asked for more regions reads the least recent again.
 */
export async function explorationTracks(
  env: Env,
  version: string,
  now: number,
  region: string | null,
): Promise<CatalogTrack[]> {
  const manifest = await versionManifest(env, version);
  if (!manifest) return [];
  const pool = explorationPoolOf(now, manifest.explorationPools);
  const pooled = region !== null && (manifest.explorationRegions ?? []).includes(region);
  const key = artifactKey.exploration(version, pool, pooled ? region : undefined);
  return heldParsed<ExplorationArtifact, CatalogTrack[]>(env, key, (a) => (a?.rows ?? []).map(fromCatalogRow));
}

export interface PublishedCharts {
  charts: ChartsArtifact;
  /** The tracks the charts name. */
  tracks: ReadonlyMap<string, CatalogTrack>;
  /** The new releases' tracks, in chart order: every exploration pool starts from them. */
  newReleases: readonly CatalogTrack[];
}

export function charts(env: Env, version: string): Promise<PublishedCharts | null> {
  return heldParsed<ChartsArtifact, PublishedCharts | null>(env, artifactKey.charts(version), (a) => {
    if (!a) return null;
    const tracks = tracksOf(a.rows);
    return { charts: a, tracks, newReleases: a.newReleases.flatMap((id) => tracks.get(id) ?? []) };
  });
}

export interface ListenerCandidates extends ListenerArtifact {
  /** The rows the artefact carried: its candidates outside the browse set. */
  tracks: ReadonlyMap<string, CatalogTrack>;
}

/**
 * A listener's candidates, parsed from the held text on each request: parsed, the hundreds of rows a large
 * catalog's listener carries would hold several times their text, and an isolate serves many listeners.
 */
export async function listenerCandidates(
  env: Env,
  version: string,
  listener: string,
): Promise<ListenerCandidates | null> {
  const text = await listenerArtifacts.one(env, artifactKey.listener(version, listener), asText, LISTENER_HELD_MS);
  if (text === null) return null;
  const artifact = JSON.parse(text) as ListenerArtifact;
  return { ...artifact, tracks: tracksOf(artifact.rows) };
}

/** Forgets what this isolate holds of a listener's candidates, of any version, as their erasure deletes them. */
export function forgetListener(listener: string): void {
  const suffix = artifactKey.listener("", listener).slice(artifactKey.versionPrefix("").length);
  listenerArtifacts.forget((key) => key.endsWith(`:${suffix}`));
}

/** A track's published neighbours, best first; null when the version has none for it. */
export async function similarTracks(env: Env, version: string, trackId: string): Promise<SimilarList | null> {
  const manifest = await versionManifest(env, version);
  if (!manifest || manifest.similarShards === 0) return null;
  const key = artifactKey.similarShard(version, similarShardOf(trackId, manifest.similarShards));
  const text = await shards.one(env, key, asText);
  return text === null ? null : (findKeyedLine<SimilarEntry>(text, trackId)?.[1] ?? null);
}
