import { drizzle } from "drizzle-orm/d1";
import { inArray } from "drizzle-orm";
import { trackFromRow } from "../../shared/db/rows";
import { tracks } from "../../shared/db/schema";
import { LayeredMap } from "../../shared/catalog/layered-map";
import type { CatalogTrack } from "../../shared/publish/artifacts";
import type { Degradation } from "./degraded";
import type { Env } from "./env";
import { catalogTracks } from "./model-store";

/**
 * Track metadata from the published catalog's shards (held by the isolate once read); tracks added since
 * the last publish are read from D1, with no popularity known yet.
 */
export async function findTracks(
  env: Env,
  version: string | null,
  ids: readonly string[],
): Promise<Map<string, CatalogTrack>> {
  const found = version ? await catalogTracks(env, version, ids) : new Map<string, CatalogTrack>();
  const missing = [...new Set(ids)].filter((id) => !found.has(id));
  for (let i = 0; i < missing.length; i += 90) {
    const rows = await drizzle(env.DB)
      .select()
      .from(tracks)
      .where(inArray(tracks.id, missing.slice(i, i + 90)));
    for (const row of rows) found.set(row.id, { ...trackFromRow(row), popularity: 0 });
  }
  return found;
}

/**
 * The tracks a request works with: what it holds already (the browse set, rows its artefacts carried), and
 * the rows of `ids` none of those has, from the version's catalog shards. Nothing is copied: the browse set
 * is a layer, not the start of a new map.
 */
export async function requestTracks(
  env: Env,
  degraded: Degradation,
  version: string,
  holding: readonly (ReadonlyMap<string, CatalogTrack> | null | undefined)[],
  ids: Iterable<string>,
): Promise<ReadonlyMap<string, CatalogTrack>> {
  const layers = new LayeredMap(holding);
  const missing = [...new Set(ids)].filter((id) => !layers.has(id));
  const read = await degraded.read("kv", () => catalogTracks(env, version, missing), new Map());
  return new LayeredMap([...holding, read]);
}

/** The public JSON shape of a track in lists. */
export function trackSummary(t: CatalogTrack) {
  return {
    id: t.id,
    title: t.title,
    artist: { id: t.artistId, name: t.artistName },
    album: { id: t.albumId, title: t.albumTitle },
    genre: t.genre,
    releaseDate: t.releaseDate,
    durationMs: t.features.durationMs,
  };
}

/** A track of a list (generated, own, shuffled) as every list answer shows it: its place, what it is, its sound. */
export function listItem(position: number, t: CatalogTrack) {
  return { position, ...trackSummary(t), features: t.features };
}
