import { servedBy } from "../../../shared/analytics/attribution";
import { apiApp, createRoute, errorResponses, json } from "../../../shared/api/openapi";
import { RadioPage } from "../../../shared/api/responses";
import { Limit } from "../../../shared/api/schemas";
import { cursorOf, RadioCursor, RadioSeedParam, seedText } from "../../../shared/playlists/radio";
import { forListener } from "../auth/require";
import type { AppEnv } from "../env";
import { continueStation, refusal, refused, startStation, stationOf, type StationAnswer } from "../radio";
import { listItem } from "../tracks";
import { PlaylistQuery, playlistRequest } from "./playlists";

const RadioQuery = PlaylistQuery.extend({
  seed: RadioSeedParam.optional().meta({
    description: "What the station grows from: track:<id>, artist:<id>, genre:<name> or playlist:<kind or id>",
    example: "artist:art-0002",
  }),
  cursor: RadioCursor.optional().meta({ description: "The `cursor` of the previous page, to go on with its station" }),
  limit: Limit(20, 50).meta({ example: "10" }),
}).refine((q) => q.seed || q.cursor, {
  path: ["seed"],
  message: "is needed to start a station (or a cursor to go on with one)",
});

const radio = createRoute({
  method: "get",
  path: "/",
  tags: ["Radio"],
  summary: "A radio station's next page: started from a seed, or continued from a cursor",
  ...forListener("client"),
  request: { query: RadioQuery },
  responses: {
    200: json(RadioPage, "The page, and the cursor of the next"),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

/**
 * An endless radio station from a track, an artist, a genre or a list: the first request starts
 * it and answers its first page and a cursor; each cursor answers the next page. No track comes
 * twice on a station, and each new page is ranked with the live session, so it follows the skips.
 */
export const radioApp = apiApp<AppEnv>().openapi(radio, async (c) => {
  const { seed, cursor, limit, ...moment } = c.req.valid("query");
  const request = playlistRequest(c.req.raw, moment);
  const station = cursor
    ? await stationOf(c.env, c.var.pseudonym, cursor.stationId)
    : await startStation(c.env, c.var.pseudonym, seed!, request);
  if ("refused" in station) return refusal(c, station);
  if (seed && seedText(seed) !== station.seed) {
    return refusal(
      c,
      refused(400, `The cursor is of a station of ${station.seed}, not of ${seedText(seed)}`, "cursor"),
    );
  }
  const answer = await continueStation(c.env, c.var.pseudonym, station, cursor?.offset ?? 0, limit, request.now);
  if ("refused" in answer) return refusal(c, answer);
  return c.json(radioBody(answer), 200);
});

function radioBody(answer: StationAnswer) {
  const { station } = answer;
  return {
    station: {
      id: station.id,
      seed: station.seed,
      title: station.title,
      createdAt: new Date(station.createdAt).toISOString(),
      served: answer.served,
    },
    tracks: answer.page.map(({ track, reason }, i) => ({ ...listItem(answer.offset + i + 1, track), reason })),
    cursor: answer.next === null ? null : cursorOf(station.id, answer.next),
    ...servedBy("radio", answer.modelVersion),
    personalized: answer.personalized,
    degraded: answer.degraded,
  };
}
