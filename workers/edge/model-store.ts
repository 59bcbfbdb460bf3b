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

export async function currentModel(env: Env, now = Date.now()): Promise<ModelPointer | null> {
  const ttl = Number(env.MODEL_POINTER_TTL_MS);
  if (pointerCache && now - pointerCache.readAt < ttl) return pointerCache.pointer;
  const pointer = await env.MODELS.get<ModelPointer>(CURRENT_MODEL_KEY, "json");
  pointerCache = { pointer, readAt: now };
  return pointer;
}

/** Versions whose artefacts an isolate holds at once: the live one and those experiment variants serve. */
const VERSIONS_HELD = 4;

/**
 * One artefact of a version, read once and held (as `build` makes it) while that version is served,
 * for the few versions served at once (the live one, experiments' variants), the least recently asked
 * dropped first. A missing artefact is held only as long as the pointer: KV may show the pointer before
 * the artefact it names, and a version must not serve an empty catalog for its whole life over that.
 */
function versionArtifact<A, V>(key: (version: string) => string, build: (artifact: A | null) => V) {
  const held = new Map<string, { value: Promise<V>; missedAt?: number }>();
  return (env: Env, version: string): Promise<V> => {
    const now = Date.now();
    let cached = held.get(version);
    const missExpired = cached?.missedAt !== undefined && now - cached.missedAt >= Number(env.MODEL_POINTER_TTL_MS);
    if (!cached || missExpired) {
      const entry: NonNullable<typeof cached> = {
        value: env.MODELS.get<A>(key(version), "json").then((artifact) => {
          if (artifact === null) entry.missedAt = now;
          return build(artifact);
        }),
      };
      cached = entry;
      entry.value.catch(() => {
        if (held.get(version) === entry) held.delete(version);
      });
    }
    // Re-inserted, so the map's order is the order of last use.
    held.delete(version);
    held.set(version, cached);
    if (held.size > VERSIONS_HELD) held.delete(held.keys().next().value!);
    return cached.value;
  };
}

const catalogSnapshot = versionArtifact<CatalogArtifact, CatalogSnapshot>(artifactKey.catalog, (artifact) => ({
  tracks: new Map((artifact?.rows ?? []).map((row) => [row[0], fromCatalogRow(row)])),
  similarShards: artifact?.similarShards ?? 0,
}));

export async function catalog(env: Env, version: string): Promise<Map<string, CatalogTrack>> {
  return (await catalogSnapshot(env, version)).tracks;
}

export const charts = versionArtifact<ChartsArtifact, ChartsArtifact | null>(
  artifactKey.charts,
  (artifact) => artifact,
);

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
