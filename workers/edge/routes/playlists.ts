import type { Context } from "hono";
import { z } from "zod";
import { apiApp, createRoute, errorResponses, json, problemJson } from "../../../shared/api/openapi";
import { Playlist, PlaylistListing } from "../../../shared/api/responses";
import { ContextQuery, Region } from "../../../shared/api/schemas";
import { PLAYLIST_KINDS, type FrozenPlaylist, type PlaylistKind } from "../../../shared/playlists";
import { forListener } from "../auth/require";
import { Degradation, findTracksDegrading, type Store } from "../degraded";
import type { AppEnv, Env } from "../env";
import { requestRegion } from "../ingest";
import { playlistFor, type PlaylistRequest } from "../playlists";
import { trackSummary } from "../tracks";

/** What a client may say about its moment when it asks for a list; the zone decides when a list's period turns. */
const PlaylistQuery = ContextQuery.pick({ localTime: true, timeZone: true }).extend({ region: Region.optional() });

const Kind = z.strictObject({ kind: z.enum(PLAYLIST_KINDS).meta({ example: "discover-weekly" }) });

const listPlaylists = createRoute({
  method: "get",
  path: "/",
  tags: ["Playlists"],
  summary: "The listener's generated playlists, without their tracks",
  ...forListener("client"),
  request: { query: PlaylistQuery },
  responses: {
    200: json(PlaylistListing, "Each generated list that has tracks now"),
    ...errorResponses(400, 401, 403, 429, 503),
  },
});

const getPlaylist = createRoute({
  method: "get",
  path: "/{kind}",
  tags: ["Playlists"],
  summary: "One generated playlist, frozen for its period, with each track's reason",
  ...forListener("client"),
  request: { params: Kind, query: PlaylistQuery },
  responses: {
    200: json(Playlist, "The list"),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

/**
 * The listener's playlists: the generated kinds (Discover Weekly, Release Radar, Daily Mixes, the
 * context mixes, the daylist), each frozen for its period the first time it is asked for.
 */
export const playlistsApp = apiApp<AppEnv>()
  .openapi(listPlaylists, async (c) => {
    const request = playlistRequest(c.req.raw, c.req.valid("query"));
    const answers = await Promise.all(PLAYLIST_KINDS.map((kind) => playlistFor(c.env, c.var.pseudonym, kind, request)));
    const degraded = [...new Set(answers.flatMap((a) => a.degraded))].sort();
    return c.json(
      {
        personalized: answers.every((a) => a.personalized),
        degraded,
        generated: answers.flatMap(({ list }) => (list && list.tracks.length > 0 ? [listSummary(list)] : [])),
      },
      200,
    );
  })
  .openapi(getPlaylist, async (c) => {
    const { kind } = c.req.valid("param");
    const answer = await playlistFor(c.env, c.var.pseudonym, kind, playlistRequest(c.req.raw, c.req.valid("query")));
    if (!answer.list) return noList(c, kind, answer.degraded);
    return c.json(
      { ...(await playlistBody(c.env, answer.list, answer.degraded)), personalized: answer.personalized },
      200,
    );
  });

function playlistRequest(raw: Request, query: z.output<typeof PlaylistQuery>): PlaylistRequest {
  const zone = raw.cf?.timezone;
  return {
    now: Date.now(),
    ...(query.timeZone ? { timeZone: query.timeZone } : {}),
    ...(typeof zone === "string" ? { requestZone: zone } : {}),
    ...(query.localTime ? { localTime: query.localTime } : {}),
    region: query.region ?? requestRegion(raw),
  };
}

function noList(c: Context, kind: PlaylistKind, degraded: Store[]) {
  if (degraded.length > 0)
    return problemJson(c, 503, `The ${kind} list cannot be made now: ${degraded.join(", ")} unreachable`, { degraded });
  return problemJson(c, 404, `The listener has no ${kind} list: not enough listening of that kind yet`);
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
        ? [
            {
              position: i + 1,
              ...trackSummary(track),
              features: track.features,
              reason: entry.reason,
              ...(entry.fallback ? { fallback: true } : {}),
            },
          ]
        : [];
    }),
    degraded: [...new Set([...degradedBefore, ...degraded.stores])].sort(),
  };
}
