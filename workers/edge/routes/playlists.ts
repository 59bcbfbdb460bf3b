import type { Context } from "hono";
import { z } from "zod";
import { servedBy } from "../../../shared/analytics/attribution";
import { apiApp, createRoute, errorResponses, json, jsonBody, problemJson } from "../../../shared/api/openapi";
import { OwnPlaylist, Playlist, PlaylistListing, ShuffledPlaylist } from "../../../shared/api/responses";
import {
  AddTracksBody,
  ContextQuery,
  CreatePlaylistBody,
  NoQuery,
  OwnPlaylistId,
  PlaylistRef,
  Region,
  RemoveTracksBody,
  ReorderTracksBody,
  ShuffleQuery,
  UpdatePlaylistBody,
} from "../../../shared/api/schemas";
import { isPlaylistKind, PLAYLIST_KINDS, type FrozenPlaylist, type PlaylistKind } from "../../../shared/playlists";
import type { EditResult, OwnPlaylistEdit } from "../../../shared/playlists/own";
import { forListener } from "../auth/require";
import { Degradation, findTracksDegrading, type Store } from "../degraded";
import type { AppEnv, Env } from "../env";
import { requestRegion } from "../ingest";
import { ownBody, ownSummary, shuffled, unknownTracks } from "../library";
import { sessionOf } from "../listener";
import { playlistFor, type PlaylistRequest } from "../playlists";
import { listItem } from "../tracks";

/** What a client may say about its moment when it asks for a list; the zone decides when a list's period turns. */
export const PlaylistQuery = ContextQuery.pick({ localTime: true, timeZone: true }).extend({
  region: Region.optional(),
});

const ownData = { ...forListener("client"), tags: ["Playlists"] };
/** One path for both kinds of list: a generated kind's name or an own id, which no kind can be. */
const AnyList = z.strictObject({ id: PlaylistRef.shape.id.meta({ example: "daylist" }) });
/** Only own playlists change: a generated list is saved as one first (POST with `from`). */
const OwnList = z.strictObject({ id: OwnPlaylistId.meta({ example: "pl-0123456789abcdef0123" }) });
const ownAnswer = json(OwnPlaylist, "The playlist as it now is");
/** An edit: the playlist may not exist (404), or may not take the change (409 full, 422 naming the field). */
const editRefusals = errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503);
const TRACKS = ["trk-00042", "trk-00043", "trk-00044"];

const listPlaylists = createRoute({
  method: "get",
  path: "/",
  summary: "The listener's generated playlists that have tracks now, and their own playlists, without tracks",
  ...ownData,
  request: { query: PlaylistQuery },
  responses: {
    200: json(PlaylistListing, "The generated lists and the own playlists"),
    ...errorResponses(400, 401, 403, 429, 503),
  },
});

const createPlaylist = createRoute({
  method: "post",
  path: "/",
  summary: "A new own playlist: named and filled by the listener, or a copy of a generated list's tracks now",
  ...ownData,
  request: {
    query: NoQuery,
    body: jsonBody(CreatePlaylistBody, {
      named: { summary: "A named playlist with three tracks", value: { name: "Road trip", trackIds: TRACKS } },
      saved: { summary: "The daylist saved as it stands", value: { from: "daylist" } },
    }),
  },
  responses: {
    201: {
      ...json(OwnPlaylist, "The playlist made; `location` is its URL"),
      headers: { location: { description: "The playlist's URL", schema: { type: "string" } } },
    },
    ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429, 503),
  },
});

const getPlaylist = createRoute({
  method: "get",
  path: "/{id}",
  summary: "A generated list (frozen for its period, each track with its reason) or an own playlist",
  ...ownData,
  request: { params: AnyList, query: PlaylistQuery },
  responses: {
    200: json(z.union([Playlist, OwnPlaylist]), "The list: `kind` for a generated one, `id` for an own one"),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

const updatePlaylist = createRoute({
  method: "patch",
  path: "/{id}",
  summary: "Renames an own playlist or changes its description",
  ...ownData,
  request: {
    params: OwnList,
    query: NoQuery,
    body: jsonBody(UpdatePlaylistBody, { rename: { summary: "A new name", value: { name: "Sunday drive" } } }),
  },
  responses: { 200: ownAnswer, ...editRefusals },
});

const deletePlaylist = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "Deletes an own playlist",
  ...ownData,
  request: { params: OwnList, query: NoQuery },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 403, 404, 429, 503) },
});

const addTracks = createRoute({
  method: "post",
  path: "/{id}/tracks",
  summary: "Adds tracks to an own playlist, at the end or before a 1-based position",
  ...ownData,
  request: {
    params: OwnList,
    query: NoQuery,
    body: jsonBody(AddTracksBody, {
      first: { summary: "Two tracks at the top", value: { trackIds: ["trk-00045", "trk-00046"], position: 1 } },
    }),
  },
  responses: { 200: ownAnswer, ...editRefusals },
});

const removeTracks = createRoute({
  method: "delete",
  path: "/{id}/tracks",
  summary: "Removes tracks from an own playlist: at 1-based positions, or every occurrence of ids",
  ...ownData,
  request: {
    params: OwnList,
    query: NoQuery,
    body: jsonBody(RemoveTracksBody, {
      byPosition: { summary: "The first track", value: { positions: [1] } },
    }),
  },
  responses: { 200: ownAnswer, ...editRefusals },
});

const reorderTracks = createRoute({
  method: "put",
  path: "/{id}/tracks",
  summary: "Moves a range of an own playlist's tracks before another position (1-based)",
  ...ownData,
  request: {
    params: OwnList,
    query: NoQuery,
    body: jsonBody(ReorderTracksBody, {
      lastToTop: { summary: "The second track to the top", value: { rangeStart: 2, insertBefore: 1 } },
    }),
  },
  responses: { 200: ownAnswer, ...editRefusals },
});

const shufflePlaylist = createRoute({
  method: "get",
  path: "/{id}/shuffle",
  summary: "An own playlist smart-shuffled: its tracks in a new order, a recommended one after every three",
  ...ownData,
  request: {
    params: OwnList,
    query: z.strictObject({ seed: ShuffleQuery.shape.seed.meta({ example: "42" }) }),
  },
  responses: {
    200: json(ShuffledPlaylist, "The shuffled order, with the seed that makes it"),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

/**
 * The listener's playlists: the generated kinds (Discover Weekly, Release Radar, Daily Mixes, the
 * context mixes, the daylist), each frozen for its period the first time it is asked for, and their
 * own playlists (`pl-...` ids), which they name, fill, reorder and smart-shuffle.
 */
export const playlistsApp = apiApp<AppEnv>()
  .openapi(listPlaylists, async (c) => {
    const request = playlistRequest(c.req.raw, c.req.valid("query"));
    const degradedOwn = new Degradation();
    const [answers, own] = await Promise.all([
      Promise.all(PLAYLIST_KINDS.map((kind) => playlistFor(c.env, c.var.pseudonym, kind, request))),
      degradedOwn.read(
        "session",
        async () => (await sessionOf(c.env, c.var.pseudonym).ownPlaylists()).map(ownSummary),
        [],
      ),
    ]);
    const degraded = [...new Set([...answers.flatMap((a) => a.degraded), ...degradedOwn.stores])].sort();
    return c.json(
      {
        personalized: answers.every((a) => a.personalized),
        degraded,
        generated: answers.flatMap(({ list }) => (list && list.tracks.length > 0 ? [listSummary(list)] : [])),
        own,
      },
      200,
    );
  })
  .openapi(createPlaylist, async (c) => {
    const { name, description, trackIds = [], from } = c.req.valid("json");
    let draft = { name: name ?? "", description: description ?? "", trackIds };
    if (from) {
      // A saved generated list is a copy of its tracks as they stand now: it does not turn with the period.
      const answer = await playlistFor(c.env, c.var.pseudonym, from, playlistRequest(c.req.raw, {}));
      if (!answer.list) {
        if (answer.degraded.length > 0) return listUnavailable(c, from, answer.degraded);
        const message = `names a list the listener does not have (${from}): not enough listening of that kind yet`;
        return problemJson(c, 422, `from ${message}`, { errors: [{ path: "from", message }] });
      }
      const list = answer.list;
      draft = {
        name: name ?? list.title,
        description: description ?? list.description,
        trackIds: list.tracks.map((t) => t.trackId),
      };
    } else {
      const unknown = await unknownTracks(c, c.env, trackIds);
      if (unknown) return unknown;
    }
    const result = await sessionOf(c.env, c.var.pseudonym).createOwnPlaylist(draft);
    if (!result.ok) return refused(c, result);
    return c.json(await ownBody(c.env, result.playlist), 201, { location: `/v1/me/playlists/${result.playlist.id}` });
  })
  .openapi(getPlaylist, async (c) => {
    const { id } = c.req.valid("param");
    if (!isPlaylistKind(id)) {
      const playlist = await sessionOf(c.env, c.var.pseudonym).ownPlaylist(id);
      return playlist ? c.json(await ownBody(c.env, playlist), 200) : noOwnPlaylist(c, id);
    }
    const answer = await playlistFor(c.env, c.var.pseudonym, id, playlistRequest(c.req.raw, c.req.valid("query")));
    if (!answer.list) return noList(c, id, answer.degraded);
    return c.json(
      { ...(await playlistBody(c.env, answer.list, answer.degraded)), personalized: answer.personalized },
      200,
    );
  })
  .openapi(updatePlaylist, (c) =>
    edit(c, c.env, c.var.pseudonym, c.req.valid("param").id, { op: "details", ...c.req.valid("json") }),
  )
  .openapi(deletePlaylist, async (c) => {
    const { id } = c.req.valid("param");
    const deleted = await sessionOf(c.env, c.var.pseudonym).deleteOwnPlaylist(id);
    return deleted ? c.body(null, 204) : noOwnPlaylist(c, id);
  })
  .openapi(addTracks, async (c) => {
    const body = c.req.valid("json");
    const unknown = await unknownTracks(c, c.env, body.trackIds);
    return unknown ?? edit(c, c.env, c.var.pseudonym, c.req.valid("param").id, { op: "add", ...body });
  })
  .openapi(removeTracks, (c) => {
    const { positions, trackIds } = c.req.valid("json");
    return edit(
      c,
      c.env,
      c.var.pseudonym,
      c.req.valid("param").id,
      positions ? { op: "remove", positions } : { op: "remove", trackIds: trackIds! },
    );
  })
  .openapi(reorderTracks, (c) =>
    edit(c, c.env, c.var.pseudonym, c.req.valid("param").id, { op: "reorder", ...c.req.valid("json") }),
  )
  .openapi(shufflePlaylist, async (c) => {
    const { id } = c.req.valid("param");
    const playlist = await sessionOf(c.env, c.var.pseudonym).ownPlaylist(id);
    if (!playlist) return noOwnPlaylist(c, id);
    // Without a seed each shuffle is new; the answer names its seed, so a client can play it again.
    const seed = c.req.valid("query").seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!;
    return c.json(await shuffled(c.env, c.var.pseudonym, playlist, seed), 200);
  });

/** Applies one edit in the session object and answers the playlist as it now is. */
async function edit(c: Context, env: Env, pseudonym: string, id: string, change: OwnPlaylistEdit) {
  const result = await sessionOf(env, pseudonym).editOwnPlaylist(id, change);
  if (!result) return noOwnPlaylist(c, id);
  if (!result.ok) return refused(c, result);
  return c.json(await ownBody(env, result.playlist), 200);
}

function refused(c: Context, result: Extract<EditResult, { ok: false }>) {
  const { status, detail, errors } = result.refusal;
  return problemJson(c, status, `The playlist cannot be changed so: ${detail}`, { errors });
}

function noOwnPlaylist(c: Context, id: string) {
  return problemJson(c, 404, `The listener has no playlist ${id}`);
}

export function playlistRequest(raw: Request, query: Partial<z.output<typeof PlaylistQuery>>): PlaylistRequest {
  const zone = raw.cf?.timezone;
  return {
    now: Date.now(),
    ...(query.timeZone ? { timeZone: query.timeZone } : {}),
    ...(typeof zone === "string" ? { requestZone: zone } : {}),
    ...(query.localTime ? { localTime: query.localTime } : {}),
    region: query.region ?? requestRegion(raw),
  };
}

export function noList(c: Context, kind: PlaylistKind, degraded: Store[]) {
  if (degraded.length > 0) return listUnavailable(c, kind, degraded);
  return problemJson(c, 404, `The listener has no ${kind} list: not enough listening of that kind yet`);
}

function listUnavailable(c: Context, kind: PlaylistKind, degraded: Store[]) {
  return problemJson(c, 503, `The ${kind} list cannot be made now: ${degraded.join(", ")} unreachable`, { degraded });
}

/** A list in the listing: what it is and when it turns, without its tracks. */
function listSummary(list: FrozenPlaylist) {
  return {
    kind: list.kind,
    title: list.title,
    description: list.description,
    trackCount: list.tracks.length,
    generatedAt: new Date(list.generatedAt).toISOString(),
    validUntil: new Date(list.validUntil).toISOString(),
  };
}

/** A list as answered: its tracks as recommendation items are, with their sound and the reason each is there. */
export async function playlistBody(env: Env, list: FrozenPlaylist, degradedBefore: Store[]) {
  const degraded = new Degradation();
  const tracks = await findTracksDegrading(
    env,
    degraded,
    list.modelVersion,
    list.tracks.map((t) => t.trackId),
  );
  return {
    ...listSummary(list),
    seedArtists: list.seedArtists,
    modelVersion: list.modelVersion,
    // The list is frozen for its period, but each answer of it is a serving of its own.
    ...servedBy(list.kind, list.modelVersion),
    tracks: list.tracks.flatMap((entry, i) => {
      const track = tracks.get(entry.trackId);
      return track
        ? [{ ...listItem(i + 1, track), reason: entry.reason, ...(entry.fallback ? { fallback: true } : {}) }]
        : [];
    }),
    degraded: [...new Set([...degradedBefore, ...degraded.stores])].sort(),
  };
}
