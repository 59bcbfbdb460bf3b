import { Hono } from "hono";
import { z } from "zod";
import { problem, problemResponse } from "../../../shared/api/problem";
import {
  AddTracksBody,
  ContextQuery,
  CreatePlaylistBody,
  NoQuery,
  OwnPlaylistRef,
  PlaylistRef,
  Region,
  RemoveTracksBody,
  ReorderTracksBody,
  ShuffleQuery,
  UpdatePlaylistBody,
} from "../../../shared/api/schemas";
import { isPlaylistKind, PLAYLIST_KINDS, type FrozenPlaylist, type PlaylistKind } from "../../../shared/playlists";
import type { EditResult, OwnPlaylistEdit } from "../../../shared/playlists/own";
import { requireListener, requireRole } from "../auth/require";
import { Degradation, findTracksDegrading, type Store } from "../degraded";
import type { AppEnv, Env } from "../env";
import { requestRegion } from "../ingest";
import { ownBody, ownSummary, shuffled, unknownTracks } from "../library";
import { sessionOf } from "../listener";
import { playlistFor, type PlaylistRequest } from "../playlists";
import { listItem } from "../tracks";
import { validate } from "../../../shared/api/validate";

/** What a client may say about its moment when it asks for a list; the zone decides when a list's period turns. */
export const PlaylistQuery = ContextQuery.pick({ localTime: true, timeZone: true }).extend({
  region: Region.optional(),
});

const ownData = [requireRole("client"), requireListener()] as const;
/** An own playlist's route: its id in the path, no query. */
const ownRoute = [...ownData, validate("param", OwnPlaylistRef), validate("query", NoQuery)] as const;

/**
 * The listener's playlists: the generated kinds (Discover Weekly, Release Radar, Daily Mixes, the
 * context mixes, the daylist), each frozen for its period the first time it is asked for, and their
 * own playlists (`pl-...` ids), which they name, fill, reorder and smart-shuffle.
 */
export const playlistsApp = new Hono<AppEnv>()
  .get("/", ...ownData, validate("query", PlaylistQuery), async (c) => {
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
    return c.json({
      personalized: answers.every((a) => a.personalized),
      degraded,
      generated: answers.flatMap(({ list }) => (list && list.tracks.length > 0 ? [listSummary(list)] : [])),
      own,
    });
  })
  .post("/", ...ownData, validate("query", NoQuery), validate("json", CreatePlaylistBody), async (c) => {
    const { name, description, trackIds = [], from } = c.req.valid("json");
    let draft = { name: name ?? "", description: description ?? "", trackIds };
    if (from) {
      // A saved generated list is a copy of its tracks as they stand now: it does not turn with the period.
      const answer = await playlistFor(c.env, c.var.pseudonym, from, playlistRequest(c.req.raw, {}));
      if (!answer.list) {
        if (answer.degraded.length > 0) return noList(from, answer.degraded);
        const message = `names a list the listener does not have (${from}): not enough listening of that kind yet`;
        return problemResponse(problem(422, `from ${message}`, { errors: [{ path: "from", message }] }));
      }
      const list = answer.list;
      draft = {
        name: name ?? list.title,
        description: description ?? list.description,
        trackIds: list.tracks.map((t) => t.trackId),
      };
    } else {
      const unknown = await unknownTracks(c.env, trackIds);
      if (unknown) return unknown;
    }
    const result = await sessionOf(c.env, c.var.pseudonym).createOwnPlaylist(draft);
    if (!result.ok) return refused(result);
    c.header("location", `/v1/me/playlists/${result.playlist.id}`);
    return c.json(await ownBody(c.env, result.playlist), 201);
  })
  // One route for both kinds of list: a generated kind's name or an own id, which no kind can be.
  .get("/:id", ...ownData, validate("param", PlaylistRef), validate("query", PlaylistQuery), async (c) => {
    const { id } = c.req.valid("param");
    if (!isPlaylistKind(id)) {
      const playlist = await sessionOf(c.env, c.var.pseudonym).ownPlaylist(id);
      return playlist ? c.json(await ownBody(c.env, playlist)) : noOwnPlaylist(id);
    }
    const answer = await playlistFor(c.env, c.var.pseudonym, id, playlistRequest(c.req.raw, c.req.valid("query")));
    if (!answer.list) return noList(id, answer.degraded);
    return c.json({
      ...(await playlistBody(c.env, answer.list, answer.degraded)),
      personalized: answer.personalized,
    });
  })
  .patch("/:id", ...ownRoute, validate("json", UpdatePlaylistBody), (c) =>
    edit(c.env, c.var.pseudonym, c.req.valid("param").id, { op: "details", ...c.req.valid("json") }),
  )
  .delete("/:id", ...ownRoute, async (c) => {
    const { id } = c.req.valid("param");
    const deleted = await sessionOf(c.env, c.var.pseudonym).deleteOwnPlaylist(id);
    return deleted ? c.body(null, 204) : noOwnPlaylist(id);
  })
  .post("/:id/tracks", ...ownRoute, validate("json", AddTracksBody), async (c) => {
    const body = c.req.valid("json");
    const unknown = await unknownTracks(c.env, body.trackIds);
    return unknown ?? edit(c.env, c.var.pseudonym, c.req.valid("param").id, { op: "add", ...body });
  })
  .delete("/:id/tracks", ...ownRoute, validate("json", RemoveTracksBody), (c) => {
    const { positions, trackIds } = c.req.valid("json");
    return edit(
      c.env,
      c.var.pseudonym,
      c.req.valid("param").id,
      positions ? { op: "remove", positions } : { op: "remove", trackIds: trackIds! },
    );
  })
  .put("/:id/tracks", ...ownRoute, validate("json", ReorderTracksBody), (c) =>
    edit(c.env, c.var.pseudonym, c.req.valid("param").id, { op: "reorder", ...c.req.valid("json") }),
  )
  .get("/:id/shuffle", ...ownData, validate("param", OwnPlaylistRef), validate("query", ShuffleQuery), async (c) => {
    const { id } = c.req.valid("param");
    const playlist = await sessionOf(c.env, c.var.pseudonym).ownPlaylist(id);
    if (!playlist) return noOwnPlaylist(id);
    // Without a seed each shuffle is new; the answer names its seed, so a client can play it again.
    const seed = c.req.valid("query").seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!;
    return c.json(await shuffled(c.env, c.var.pseudonym, playlist, seed));
  });

/** Applies one edit in the session object and answers the playlist as it now is. */
async function edit(env: Env, pseudonym: string, id: string, change: OwnPlaylistEdit): Promise<Response> {
  const result = await sessionOf(env, pseudonym).editOwnPlaylist(id, change);
  if (!result) return noOwnPlaylist(id);
  if (!result.ok) return refused(result);
  return Response.json(await ownBody(env, result.playlist));
}

function refused(result: Extract<EditResult, { ok: false }>) {
  const { status, detail, errors } = result.refusal;
  return problemResponse(problem(status, `The playlist cannot be changed so: ${detail}`, { errors }));
}

function noOwnPlaylist(id: string) {
  return problemResponse(problem(404, `The listener has no playlist ${id}`));
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

export function noList(kind: PlaylistKind, degraded: Store[]) {
  if (degraded.length > 0)
    return problemResponse(
      problem(503, `The ${kind} list cannot be made now: ${degraded.join(", ")} unreachable`, { degraded }),
    );
  return problemResponse(problem(404, `The listener has no ${kind} list: not enough listening of that kind yet`));
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
    tracks: list.tracks.flatMap((entry, i) => {
      const track = tracks.get(entry.trackId);
      return track
        ? [{ ...listItem(i + 1, track), reason: entry.reason, ...(entry.fallback ? { fallback: true } : {}) }]
        : [];
    }),
    degraded: [...new Set([...degradedBefore, ...degraded.stores])].sort(),
  };
}
