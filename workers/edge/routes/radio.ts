import { Hono } from "hono";
import { Limit } from "../../../shared/api/schemas";
import { validate } from "../../../shared/api/validate";
import { cursorOf, RadioCursor, RadioSeedParam, seedText } from "../../../shared/playlists/radio";
import { requireListener, requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { continueStation, refusal, refused, startStation, stationOf, type StationAnswer } from "../radio";
import { trackSummary } from "../tracks";
import { PlaylistQuery, playlistRequest } from "./playlists";

const RadioQuery = PlaylistQuery.extend({
  seed: RadioSeedParam.optional(),
  cursor: RadioCursor.optional(),
  limit: Limit(20, 50),
}).refine((q) => q.seed || q.cursor, {
  path: ["seed"],
  message: "is needed to start a station (or a cursor to go on with one)",
});

/**
 * An endless radio station from a track, an artist, a genre or a list: the first request starts
 * it and answers its first page and a cursor; each cursor answers the next page. No track comes
 * twice on a station, and each new page is ranked with the live session, so it follows the skips.
 */
export const radioApp = new Hono<AppEnv>().get(
  "/",
  requireRole("client"),
  requireListener(),
  validate("query", RadioQuery),
  async (c) => {
    const { seed, cursor, limit, ...moment } = c.req.valid("query");
    const request = playlistRequest(c.req.raw, moment);
    const station = cursor
      ? await stationOf(c.env, c.var.pseudonym, cursor.stationId)
      : await startStation(c.env, c.var.pseudonym, seed!, request);
    if ("refused" in station) return refusal(station);
    if (seed && seedText(seed) !== station.seed) {
      return refusal(refused(400, `The cursor is of a station of ${station.seed}, not of ${seedText(seed)}`, "cursor"));
    }
    const answer = await continueStation(c.env, c.var.pseudonym, station, cursor?.offset ?? 0, limit, request.now);
    if ("refused" in answer) return refusal(answer);
    return c.json(radioBody(answer));
  },
);

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
    tracks: answer.page.map(({ track, reason }, i) => ({
      position: answer.offset + i + 1,
      ...trackSummary(track),
      features: track.features,
      reason,
    })),
    cursor: answer.next === null ? null : cursorOf(station.id, answer.next),
    personalized: answer.personalized,
    degraded: answer.degraded,
  };
}
