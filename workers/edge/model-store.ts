import {
  artifactKey,
  CURRENT_MODEL_KEY,
  fromCatalogRow,
  type CatalogArtifact,
  type CatalogTrack,
  type ChartsArtifact,
  type ListenerArtifact,
  type ModelPointer,
  type SimilarList,
  type SimilarShardArtifact,
  similarShardOf,
} from "../../shared/publish/artifacts";
import type { Env } from "./env";

interface CatalogSnapshot {
  tracks: Map<string, CatalogTrack>;
  similarShards: number;
}

/**
 * Read side of the published model. The pointer and the per-version catalog and charts are held
 * in isolate memory, so a hot request costs one KV read (the listener's candidates) at most.
 */
let pointerCache: { pointer: ModelPointer | null; readAt: number } | undefined;
let catalogCache: { version: string; snapshot: Promise<CatalogSnapshot> } | undefined;
let chartsCache: { version: string; charts: Promise<ChartsArtifact | null> } | undefined;

export async function currentModel(env: Env, now = Date.now()): Promise<ModelPointer | null> {
  const ttl = Number(env.MODEL_POINTER_TTL_MS);
  if (pointerCache && now - pointerCache.readAt < ttl) return pointerCache.pointer;
  const pointer = await env.MODELS.get<ModelPointer>(CURRENT_MODEL_KEY, "json");
  pointerCache = { pointer, readAt: now };
  return pointer;
}

function catalogSnapshot(env: Env, version: string): Promise<CatalogSnapshot> {
  if (catalogCache?.version !== version) {
    const snapshot = env.MODELS.get<CatalogArtifact>(artifactKey.catalog(version), "json").then((artifact) => ({
      tracks: new Map((artifact?.rows ?? []).map((row) => [row[0], fromCatalogRow(row)])),
      similarShards: artifact?.similarShards ?? 0,
    }));
    catalogCache = { version, snapshot };
    snapshot.catch(() => (catalogCache = undefined));
  }
  return catalogCache.snapshot;
}

export async function catalog(env: Env, version: string): Promise<Map<string, CatalogTrack>> {
  return (await catalogSnapshot(env, version)).tracks;
}

export function charts(env: Env, version: string): Promise<ChartsArtifact | null> {
  if (chartsCache?.version !== version) {
    const loaded = env.MODELS.get<ChartsArtifact>(artifactKey.charts(version), "json");
    chartsCache = { version, charts: loaded };
    loaded.catch(() => (chartsCache = undefined));
  }
  return chartsCache.charts;
}

export function listenerCandidates(env: Env, version: string, listener: string): Promise<ListenerArtifact | null> {
  return env.MODELS.get<ListenerArtifact>(artifactKey.listener(version, listener), "json");
}

/** A track's published neighbours, best first; null when the version has none for it. */
export async function similarTracks(env: Env, version: string, trackId: string): Promise<SimilarList | null> {
  const { similarShards } = await catalogSnapshot(env, version);
  if (similarShards === 0) return null;
  const key = artifactKey.similarShard(version, similarShardOf(trackId, similarShards));
  const shard = await env.MODELS.get<SimilarShardArtifact>(key, "json");
  // Own keys only: an id such as "constructor" must not find the object's prototype.
  return shard && Object.hasOwn(shard, trackId) ? shard[trackId]! : null;
}
