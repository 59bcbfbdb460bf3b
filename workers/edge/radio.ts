import type { Context } from "hono";
import { problemJson } from "../../shared/api/openapi";
import type { ProblemDetails } from "../../shared/api/problem";
import {
  MAX_STATION_TRACKS,
  neighbourSeeds,
  SEED_TRACKS,
  newStationId,
  seedText,
  seedTracks,
  stationPage,
  type RadioSeed,
  type StationTrack,
} from "../../shared/playlists/radio";
import { LayeredMap } from "../../shared/catalog/layered-map";
import { tracksOf } from "../../shared/db/queries";
import type { CatalogTrack } from "../../shared/publish/artifacts";
import { createSession } from "../../shared/session";
import { fnv1a } from "../../shared/util/hash";
import { Degradation, findTracksDegrading, type Store } from "./degraded";
import type { Env } from "./env";
import { sessionOf } from "./listener";
import { browseTracks, catalogTracks, currentModel, similarTracks } from "./model-store";
import { playableList, type PlaylistRequest } from "./playlists";
import type { Station, StationState } from "./stations";
import { requestTracks } from "./tracks";

/** A playlist station starts from the list's first tracks, in its order. */
const PLAYLIST_SEED_TRACKS = 30;

/** Why a station cannot be started or continued, as the problem to answer. */
export interface Refused {
  refused: { status: 400 | 404 | 503; detail: string; extra?: Partial<ProblemDetails> };
  headers?: Record<string, string>;
}

/** The refusal as the routes document it: a problem-details answer typed with its status. */
export function refusal(c: Context, { refused: { status, detail, extra }, headers }: Refused) {
  return problemJson(c, status, detail, extra, headers);
}

export interface StationAnswer {
  station: Station;
  /** How many tracks the station has served, this page included. */
  served: number;
  /** The page from `offset`: tracks with the metadata to show them. */
  offset: number;
  page: { track: CatalogTrack; reason: StationTrack["reason"] }[];
  /** The cursor of the next page; null once the station has served all it may. */
  next: number | null;
  /** The model whose neighbours and catalog made the page. */
  modelVersion: string;
  personalized: boolean;
  degraded: Store[];
}

/**
 * Starts a station from a seed: its seed tracks (a track itself; an artist's or a genre's
 * best-known; a list's first), kept in the listener's session object with nothing served yet.
 * A seed the catalog does not know is a 404 naming it.
 */
export async function startStation(
  env: Env,
  pseudonym: string,
  seed: RadioSeed,
  request: PlaylistRequest,
): Promise<StationState | Refused> {
  const degraded = new Degradation();
  const published = await catalogOf(env, degraded);
  if (!published) return noCatalog(degraded.stores);
  const { version, tracks: browse } = published;

  let seedTrackIds: string[], title: string;
  let tracks: ReadonlyMap<string, CatalogTrack> = browse;
  if (seed.kind === "playlist") {
    const list = await playlistSeed(env, pseudonym, seed.id, request);
    if ("refused" in list) return list;
    tracks = await requestTracks(env, degraded, version, [browse], list.trackIds);
    seedTrackIds = list.trackIds.filter((id) => tracks.has(id)).slice(0, PLAYLIST_SEED_TRACKS);
    title = `${list.title} Radio`;
  } else {
    tracks = await seedCandidates(env, degraded, version, browse, seed);
    seedTrackIds = seedTracks(seed, tracks);
    const first = tracks.get(seedTrackIds[0] ?? "");
    title =
      seed.kind === "track"
        ? `${first?.title} Radio`
        : seed.kind === "artist"
          ? `${first?.artistName} Radio`
          : `${seed.name} Radio`;
  }
  if (seedTrackIds.length === 0) {
    return refused(404, `No ${seed.kind} ${seed.kind === "genre" ? seed.name : seed.id} in the catalog`, "seed");
  }
  const now = request.now;
  const station: Station = {
    id: newStationId(),
    seed: seedText(seed),
    title,
    seedTrackIds,
    createdAt: now,
    usedAt: now,
  };
  const kept = await degraded.read(
    "session",
    () =>
      sessionOf(env, pseudonym)
        .createStation(station)
        .then(() => true),
    false,
  );
  if (!kept) return noCatalog(degraded.stores);
  return { ...station, served: [] };
}

/**
 * What a playlist seed names: a generated kind (made or read as GET /v1/me/playlists/{kind} would).
 * Own playlists are looked up here by id once they exist; until then an id that is not a kind is unknown.
 */
async function playlistSeed(
  env: Env,
  pseudonym: string,
  id: string,
  request: PlaylistRequest,
): Promise<{ title: string; trackIds: string[] } | Refused> {
  const { list, degraded } = await playableList(env, pseudonym, id, request);
  if (list) return { title: list.title, trackIds: list.tracks.map((t) => t.trackId) };
  if (degraded.length > 0) return noCatalog(degraded);
  return refused(404, `The listener has no playlist ${id} to start a station from`, "seed");
}

/**
 * The page of a station from `offset`: what it served there already (a client asking again for
 * the same cursor gets the same page), else a new page, ranked with the live session, which the
 * session object appends unless another request appended one there first.
 */
export async function continueStation(
  env: Env,
  pseudonym: string,
  station: StationState,
  offset: number,
  limit: number,
  now: number,
): Promise<StationAnswer | Refused> {
  if (offset > station.served.length) {
    return refused(
      400,
      `The cursor is past the end of station ${station.id} (${station.served.length} served)`,
      "cursor",
    );
  }
  const degraded = new Degradation();
  const session = sessionOf(env, pseudonym);
  const [view, published] = await Promise.all([
    degraded.read("session", () => session.snapshot(now), null),
    catalogOf(env, degraded),
  ]);
  if (!published) return noCatalog(degraded.stores);
  const { version, tracks: browse } = published;
  const personalized = view?.consent.personalization ?? false;
  let entries = station.served.slice(offset, offset + limit);
  if (entries.length === 0 && offset < MAX_STATION_TRACKS) {
    const state = personalized && view ? view.state : createSession();
    const neighbourLists = new Map(
      await Promise.all(
        neighbourSeeds(station.seedTrackIds, state, now).map(async (id) => {
          const list = (await degraded.read("kv", () => similarTracks(env, version, id), null)) ?? [];
          return [id, list.map(([trackId, score]) => ({ trackId, score }))] as const;
        }),
      ),
    );
    // The page ranks the seeds' and the session's neighbours, and fills by sound from the browse set.
    const tracks = await requestTracks(
      env,
      degraded,
      version,
      [browse],
      [
        ...station.seedTrackIds,
        ...Object.keys(state.taste.tracks),
        ...[...neighbourLists.values()].flatMap((list) => list.map((n) => n.trackId)),
      ],
    );
    const page = stationPage({
      seeds: station.seedTrackIds,
      served: new Set(station.served.map((t) => t.trackId)),
      tracks,
      neighbours: (id) => neighbourLists.get(id) ?? [],
      session: state,
      now,
      seed: fnv1a(`${station.id}:${offset}`),
      n: Math.min(limit, MAX_STATION_TRACKS - offset),
    });
    const standing = await degraded.read(
      "session",
      () => session.extendStation(station.id, offset, page, limit, now),
      undefined,
    );
    if (standing === undefined) return noCatalog(degraded.stores);
    if (standing === null) return refused(404, `Station ${station.id} was replaced by newer stations`, "cursor");
    entries = standing;
  }
  const found = await findTracksDegrading(
    env,
    degraded,
    version,
    entries.map((e) => e.trackId),
  );
  const { served: _, ...about } = station;
  const served = Math.max(station.served.length, offset + entries.length);
  return {
    station: about,
    served,
    offset,
    page: entries.flatMap((e) => {
      const track = found.get(e.trackId);
      return track ? [{ track, reason: e.reason }] : [];
    }),
    next: entries.length > 0 && served < MAX_STATION_TRACKS ? offset + entries.length : null,
    modelVersion: version,
    personalized,
    degraded: degraded.stores,
  };
}

/** A station of the listener's, or a 404: a cursor of another listener names a station this one does not have. */
export async function stationOf(env: Env, pseudonym: string, id: string): Promise<StationState | Refused> {
  const degraded = new Degradation();
  const station = await degraded.read("session", () => sessionOf(env, pseudonym).station(id), undefined);
  if (station === undefined) return noCatalog(degraded.stores);
  return station ?? refused(404, `The listener has no station ${id}`, "cursor");
}

/** The published browse set, or null when there is none to make a station from (no model yet, or KV down). */
async function catalogOf(
  env: Env,
  degraded: Degradation,
): Promise<{ version: string; tracks: ReadonlyMap<string, CatalogTrack> } | null> {
  const model = await degraded.read("kv", () => currentModel(env), null);
  const tracks = model ? await degraded.read("kv", () => browseTracks(env, model.version), null) : null;
  return model && tracks && tracks.size > 0 ? { version: model.version, tracks } : null;
}

/**
 * The tracks a track, artist or genre seed is found among: the browse set, with the seed track's own row,
 * and an artist's tracks from the catalog (D1) when none of theirs is among the best-known.
 */
async function seedCandidates(
  env: Env,
  degraded: Degradation,
  version: string,
  browse: ReadonlyMap<string, CatalogTrack>,
  seed: Exclude<RadioSeed, { kind: "playlist" }>,
): Promise<ReadonlyMap<string, CatalogTrack>> {
  if (seed.kind === "track") return requestTracks(env, degraded, version, [browse], [seed.id]);
  if (seed.kind === "genre" || seedTracks(seed, browse).length > 0) return browse;
  const ids = (await degraded.read("d1", () => tracksOf(env.DB, { artistId: seed.id }, SEED_TRACKS), [])).map(
    (t) => t.id,
  );
  // Their rows as published, with popularity, from the shards; an artist unknown to D1 has none.
  return new LayeredMap([browse, await degraded.read("kv", () => catalogTracks(env, version, ids), new Map())]);
}

/**
 * A station is made from the published catalog and kept in the session object: without them, a 503
 * while a store is down, else (no model published yet) a 404.
 */
function noCatalog(stores: Store[]): Refused {
  if (stores.length > 0) {
    return {
      refused: {
        status: 503,
        detail: `No station can be made now: ${stores.join(", ")} unavailable; try again shortly`,
        extra: { degraded: stores },
      },
      headers: { "retry-after": "10" },
    };
  }
  return { refused: { status: 404, detail: "No station can be made yet: no model has been published" } };
}

export function refused(status: 400 | 404, detail: string, field: string): Refused {
  return { refused: { status, detail, extra: { errors: [{ path: field, message: detail }] } } };
}
