import { drizzle } from "drizzle-orm/d1";
import { inArray } from "drizzle-orm";
import { trackFromRow } from "../../shared/db/rows";
import { tracks } from "../../shared/db/schema";
import type { CatalogTrack } from "../../shared/publish/artifacts";
import type { Env } from "./env";
import { catalog } from "./model-store";

/**
 * Track metadata from the published catalog snapshot (isolate memory); tracks added since the last
 * publish are read from D1, with no popularity known yet.
 */
export async function findTracks(
  env: Env,
  version: string | null,
  ids: readonly string[],
): Promise<Map<string, CatalogTrack>> {
  const found = new Map<string, CatalogTrack>();
  const snapshot = version ? await catalog(env, version) : undefined;
  const missing: string[] = [];
  for (const id of ids) {
    const track = snapshot?.get(id);
    if (track) found.set(id, track);
    else missing.push(id);
  }
  for (let i = 0; i < missing.length; i += 90) {
    const rows = await drizzle(env.DB)
      .select()
      .from(tracks)
      .where(inArray(tracks.id, missing.slice(i, i + 90)));
    for (const row of rows) found.set(row.id, { ...trackFromRow(row), popularity: 0 });
  }
  return found;
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
