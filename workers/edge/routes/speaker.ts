import type { Context } from "hono";
import { servedBy } from "../../../shared/analytics/attribution";
import { apiApp, createRoute, errorResponses, json, problemJson } from "../../../shared/api/openapi";
import { SpeakerNext } from "../../../shared/api/responses";
import { ContextQuery, PlaylistRef } from "../../../shared/api/schemas";
import { isPlaylistKind } from "../../../shared/playlists";
import { RadioSeedParam, StationId, type RadioSeed } from "../../../shared/playlists/radio";
import type { CatalogTrack } from "../../../shared/publish/artifacts";
import { forListener } from "../auth/require";
import type { AppEnv, Env } from "../env";
import { Degradation, degradedField, findTracksDegrading } from "../degraded";
import { sessionOf } from "../listener";
import { playableList } from "../playlists";
import { continueStation, refusal, startStation, stationOf } from "../radio";
import { recommend } from "../recommend";
import { noList, playlistRequest } from "./playlists";

const SpeakerQuery = ContextQuery.pick({ activity: true, localTime: true, timeZone: true })
  .extend({
    playlist: PlaylistRef.shape.id
      .optional()
      .meta({ description: "Play this list (a generated kind or an own id) where the listener left off" }),
    radio: RadioSeedParam.optional().meta({
      description: "Start a station from track:<id>, artist:<id>, genre:<name> or playlist:<kind or id>",
    }),
    station: StationId.optional().meta({ description: "Go on with this station (its id from an earlier answer)" }),
  })
  .refine((q) => [q.playlist, q.radio, q.station].filter(Boolean).length <= 1, {
    path: ["playlist"],
    message: "plays one thing: give at most one of playlist, radio and station",
  });

const speakerNext = createRoute({
  method: "get",
  path: "/next",
  tags: ["Speakers"],
  summary: "One next track for a smart speaker, with a title to say: for the moment, of a list or of a station",
  ...forListener("speaker"),
  request: { query: SpeakerQuery },
  responses: {
    200: json(SpeakerNext, "The next track, or (a list or station at its end) what to say"),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

/**
 * Smart speakers get one next track in a few hundred bytes, with a title a voice can say. It runs
 * the same pipeline and session as the app, so playback moving from phone to speaker carries on.
 * With `playlist` it plays one of the listener's lists in order from where they left off on any
 * device; with `radio` it starts a station, and with `station` it goes on with one.
 * Its recommendation id credits what chose the track: `speaker` for its own pick, the list's kind
 * (`own-playlist` for an own list) or `radio`; the speaker as device is the event's `device`.
 */
export const speakerApp = apiApp<AppEnv>().openapi(speakerNext, async (c) => {
  const { playlist, radio, station, ...moment } = c.req.valid("query");
  if (playlist) return nextInList(c, c.env, c.var.pseudonym, playlist, playlistRequest(c.req.raw, moment));
  if (radio || station)
    return nextOnStation(c, c.env, c.var.pseudonym, radio ? { seed: radio } : { id: station! }, c.req.raw, moment);
  const result = await recommend(c.env, c.var.pseudonym, {
    limit: 1,
    context: { ...moment, device: "speaker" },
  });
  const item = result.items[0];
  const track = item && result.tracks.get(item.trackId);
  const { degraded } = result;
  if (!item || !track) {
    const why = degraded.length > 0 ? `the catalog is unreachable (${degraded.join(", ")})` : "the catalog is empty";
    return problemJson(c, 503, `No track is available yet; ${why}`, { degraded });
  }
  return c.json(
    {
      ...spoken(track),
      reason: item.reason.text,
      ...servedBy("speaker", result.modelVersion),
      ...degradedField(degraded),
    },
    200,
  );
});

function spoken(track: CatalogTrack) {
  return { trackId: track.id, say: `${track.title} by ${track.artistName}`, durationMs: track.features.durationMs };
}

/**
 * The next track of the listener's list: where they left off, on this speaker or another device
 * (a play reported with the list's kind as `context.playlistId` moves it on), then moved on past
 * it. At the end of the list the speaker is told so, to say it.
 */
async function nextInList(
  c: Context,
  env: Env,
  pseudonym: string,
  id: string,
  request: ReturnType<typeof playlistRequest>,
) {
  const answer = await playableList(env, pseudonym, id, request);
  if (!answer.list) {
    if (isPlaylistKind(id)) return noList(c, id, answer.degraded);
    return problemJson(c, 404, `The listener has no playlist ${id} with tracks to play`);
  }
  const { list } = answer;
  const degraded = new Degradation();
  const order = { periodKey: list.periodKey, trackIds: list.tracks.map((t) => t.trackId) };
  // Without the session object the list plays from the top rather than not at all.
  const position = await degraded.read(
    "session",
    () => sessionOf(env, pseudonym).nextInList(id, order, request.now),
    0,
  );
  const stores = () => [...new Set([...answer.degraded, ...degraded.stores])].sort();
  const about = { ...(isPlaylistKind(id) ? { kind: id } : { id }), title: list.title, of: list.tracks.length };
  if (position >= list.tracks.length) {
    return c.json(
      {
        playlist: { ...about, position: list.tracks.length },
        ended: true as const,
        say: `That was the end of ${list.title}`,
        ...degradedField(stores()),
      },
      200,
    );
  }
  const entry = list.tracks[position]!;
  const track = (await findTracksDegrading(env, degraded, list.modelVersion, [entry.trackId])).get(entry.trackId);
  if (!track) {
    return problemJson(
      c,
      503,
      `Track ${entry.trackId} of ${list.title} cannot be read now`,
      { degraded: stores() },
      { "retry-after": "10" },
    );
  }
  return c.json(
    {
      ...spoken(track),
      reason: entry.reason.text,
      // Credited to the list that chose the track; the event's device says it played on a speaker.
      ...servedBy(isPlaylistKind(id) ? id : "own-playlist", list.modelVersion),
      playlist: { ...about, position: position + 1 },
      ...degradedField(stores()),
    },
    200,
  );
}

/** The next track of a station: the first of a new one from a seed, else the one after what it served. */
async function nextOnStation(
  c: Context,
  env: Env,
  pseudonym: string,
  which: { seed: RadioSeed } | { id: string },
  raw: Request,
  moment: Parameters<typeof playlistRequest>[1],
) {
  const request = playlistRequest(raw, moment);
  const station =
    "seed" in which
      ? await startStation(env, pseudonym, which.seed, request)
      : await stationOf(env, pseudonym, which.id);
  if ("refused" in station) return refusal(c, station);
  const answer = await continueStation(env, pseudonym, station, station.served.length, 1, request.now);
  if ("refused" in answer) return refusal(c, answer);
  const about = { id: station.id, title: station.title };
  const first = answer.page[0];
  if (!first) return c.json({ station: about, ended: true as const, say: `That was the end of ${station.title}` }, 200);
  return c.json(
    {
      ...spoken(first.track),
      reason: first.reason.text,
      ...servedBy("radio", answer.modelVersion),
      station: about,
      ...degradedField(answer.degraded),
    },
    200,
  );
}
