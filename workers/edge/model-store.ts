import {
  artifactKey,
  CURRENT_MODEL_KEY,
  fromCatalogRow,
  type CatalogArtifact,
  type CatalogTrack,
  type ChartsArtifact,
  type ListenerArtifact,
  type ModelPointer,
  type SimilarArtifact,
} from "../../shared/publish/artifacts";
import type { Env } from "./env";

/**
 * Read side of the published model. The pointer and the per-version catalog and charts are held
 * in isolate memory, so a hot request costs one KV read (the listener's candidates) at most.
 */
let pointerCache: { pointer: ModelPointer | null; readAt: number } | undefined;
let catalogCache: { version: string; tracks: Promise<Map<string, CatalogTrack>> } | undefined;
let chartsCache: { version: string; charts: Promise<ChartsArtifact | null> } | undefined;

export async function currentModel(env: Env, now = Date.now()): Promise<ModelPointer | null> {
  const ttl = Number(env.MODEL_POINTER_TTL_MS);
  if (pointerCache && now - pointerCache.readAt < ttl) return pointerCache.pointer;
  const pointer = await env.MODELS.get<ModelPointer>(CURRENT_MODEL_KEY, "json");
  pointerCache = { pointer, readAt: now };
  return pointer;
}

export function catalog(env: Env, version: string): Promise<Map<string, CatalogTrack>> {
  if (catalogCache?.version !== version) {
    const tracks = env.MODELS.get<CatalogArtifact>(artifactKey.catalog(version), "json").then(
      (artifact) => new Map((artifact?.rows ?? []).map((row) => [row[0], fromCatalogRow(row)])),
    );
    catalogCache = { version, tracks };
    tracks.catch(() => (catalogCache = undefined));
  }
  return catalogCache.tracks;
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

export async function similarTracks(env: Env, version: string, trackId: string): Promise<SimilarArtifact | null> {
  return env.MODELS.get<SimilarArtifact>(artifactKey.similar(version, trackId), "json");
}
