import type { Context } from "hono";
import { problemJson } from "../../shared/api/openapi";
import { servedBy } from "../../shared/analytics/attribution";
import { artistNames } from "../../shared/db/queries";
import type { OwnPlaylist } from "../../shared/playlists/own";
import type { CatalogTrack } from "../../shared/publish/artifacts";
import { neighbourSeeds, smartShuffle } from "../../shared/playlists/smart-shuffle";
import { catalogUnavailable, Degradation, findTracksDegrading } from "./degraded";
import type { Env } from "./env";
import { sessionOf } from "./listener";
import { LayeredMap } from "../../shared/catalog/layered-map";
import { browseTracks, currentModel, listenerCandidates, similarTracks } from "./model-store";
import { listItem, requestTracks } from "./tracks";

/**
 * The listener's library at the edge: own playlists as answered, the catalog checks their writes
 * need, smart shuffle's input gathered from the stores, and the names of followed artists.
 */

/** An own playlist in the listing: what it is, without its tracks. */
export function ownSummary(p: OwnPlaylist) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    trackCount: p.trackIds.length,
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
}

/** An own playlist with its tracks as list items; a track gone from the catalog keeps its place but is not shown. */
export async function ownBody(env: Env, playlist: OwnPlaylist) {
  const degraded = new Degradation();
  const model = await degraded.read("kv", () => currentModel(env), null);
  const found = await findTracksDegrading(env, degraded, model?.version ?? null, playlist.trackIds);
  return {
    ...ownSummary(playlist),
    tracks: playlist.trackIds.flatMap((id, i) => {
      const track = found.get(id);
      return track ? [listItem(i + 1, track)] : [];
    }),
    ...servedBy("own-playlist", model?.version ?? null),
    degraded: degraded.stores,
  };
}

/**
 * Null when every track is in the catalog; else a 422 naming each one that is not (`trackIds.3`),
 * or a 503 when no store could say.
 */
export async function unknownTracks(c: Context, env: Env, trackIds: readonly string[]) {
  const degraded = new Degradation();
  const model = await degraded.read("kv", () => currentModel(env), null);
  const found = await findTracksDegrading(env, degraded, model?.version ?? null, trackIds);
  const errors = trackIds.flatMap((id, i) =>
    found.has(id) ? [] : [{ path: `trackIds.${i}`, message: "is not in the catalog" }],
  );
  if (errors.length === 0) return null;
  if (degraded.stores.includes("d1")) return catalogUnavailable(c, degraded);
  return problemJson(c, 422, `Unknown tracks: ${errors.map((e) => e.path).join(", ")}`, { errors });
}

/**
 * The playlist smart-shuffled for `seed`. Its picks come from the published neighbours of its tracks
 * (nobody's history) and, with consent to personalise, also from the model's candidates for the
 * listener, minus what they disliked; without consent the session holds no dislikes to honour.
 */
export async function shuffled(env: Env, pseudonym: string, playlist: OwnPlaylist, seed: number) {
  const degraded = new Degradation();
  const session = sessionOf(env, pseudonym);
  const [model, view] = await Promise.all([
    degraded.read("kv", () => currentModel(env), null),
    degraded.read("session", () => session.snapshot(), null),
  ]);
  const version = model?.version ?? null;
  const personalized = view?.consent.personalization ?? false;
  const [artifact, neighbourLists] = await Promise.all([
    personalized && version ? degraded.read("kv", () => listenerCandidates(env, version, pseudonym), null) : null,
    Promise.all(
      neighbourSeeds(playlist.trackIds).map(async (id) => {
        const list = version ? await degraded.read("kv", () => similarTracks(env, version, id), null) : null;
        return [id, (list ?? []).map(([trackId, score]) => ({ trackId, score }))] as const;
      }),
    ),
  ]);
  const neighbours = new Map(neighbourLists);
  const wanted = [
    ...playlist.trackIds,
    ...neighbourLists.flatMap(([, list]) => list.map((n) => n.trackId)),
    ...(artifact?.candidates ?? []).map(([trackId]) => trackId),
  ];
  const published = version
    ? await requestTracks(env, degraded, version, [artifact?.tracks], wanted)
    : new Map<string, CatalogTrack>();
  // Tracks added to D1 since the last publish are in no shard: the playlist's own are looked up there.
  const unpublished = playlist.trackIds.filter((id) => !published.has(id));
  const tracks: ReadonlyMap<string, CatalogTrack> =
    unpublished.length === 0
      ? published
      : new LayeredMap([published, await findTracksDegrading(env, degraded, null, unpublished)]);
  const dislikes = personalized && view ? view.state.dislikes : { tracks: [], artists: [] };
  const order = smartShuffle({
    trackIds: playlist.trackIds,
    tracks,
    neighbours: (id) => neighbours.get(id) ?? [],
    candidates: (artifact?.candidates ?? []).map(([trackId, score]) => ({ trackId, score, source: "model" as const })),
    disliked: { trackIds: new Set(dislikes.tracks), artistIds: new Set(dislikes.artists) },
    seed,
  });
  return {
    id: playlist.id,
    name: playlist.name,
    seed,
    personalized,
    modelVersion: version,
    ...servedBy("own-playlist", version),
    tracks: order.flatMap((entry, i) => {
      const track = tracks.get(entry.trackId);
      if (!track) return [];
      const item = listItem(i + 1, track);
      return [
        entry.recommended
          ? { ...item, recommended: true as const, reason: entry.reason }
          : { ...item, recommended: false as const },
      ];
    }),
    degraded: degraded.stores,
  };
}

/** Artist names from the published browse set, else from D1's tracks; an id neither knows is left out. */
export async function artistsNamed(env: Env, degraded: Degradation, ids: readonly string[]) {
  const model = await degraded.read("kv", () => currentModel(env), null);
  const browse = model ? await degraded.read("kv", () => browseTracks(env, model.version), null) : null;
  const names = new Map<string, string>();
  const wanted = new Set(ids);
  for (const track of browse?.values() ?? [])
    if (wanted.has(track.artistId)) names.set(track.artistId, track.artistName);
  const missing = ids.filter((id) => !names.has(id));
  for (let i = 0; i < missing.length; i += 90) {
    const found = await degraded.read("d1", () => artistNames(env.DB, missing.slice(i, i + 90)), new Map());
    for (const [id, name] of found) names.set(id, name);
  }
  return names;
}
