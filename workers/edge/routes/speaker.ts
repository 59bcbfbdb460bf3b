import { apiApp, createRoute, errorResponses, json, problemJson } from "../../../shared/api/openapi";
import { SpeakerNext } from "../../../shared/api/responses";
import { ContextQuery } from "../../../shared/api/schemas";
import { forListener } from "../auth/require";
import type { AppEnv } from "../env";
import { degradedField } from "../degraded";
import { recommend } from "../recommend";

/**
 * Smart speakers get one next track in a few hundred bytes, with a title a voice can say. It runs
 * the same pipeline and session as the app, so playback moving from phone to speaker carries on.
 */
const speakerNext = createRoute({
  method: "get",
  path: "/next",
  tags: ["Speakers"],
  summary: "One next track for a smart speaker, with a title to say",
  ...forListener("speaker"),
  request: { query: ContextQuery.pick({ activity: true, localTime: true, timeZone: true }) },
  responses: {
    200: json(SpeakerNext, "The next track"),
    ...errorResponses(400, 401, 403, 429, 503),
  },
});

export const speakerApp = apiApp<AppEnv>().openapi(speakerNext, async (c) => {
  const result = await recommend(c.env, c.var.pseudonym, {
    limit: 1,
    context: { ...c.req.valid("query"), device: "speaker" },
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
      trackId: track.id,
      say: `${track.title} by ${track.artistName}`,
      durationMs: track.features.durationMs,
      reason: item.reason.text,
      ...degradedField(degraded),
    },
    200,
  );
});
