import { Hono } from "hono";
import { z } from "zod";
import { problem, problemResponse } from "../../../shared/api/problem";
import type { AppEnv } from "../env";
import { recommend } from "../recommend";
import { validate } from "../validate";
import { ContextQuery, ListenerParam } from "./listeners";

/**
 * Smart speakers get one next track in a few hundred bytes, with a title a voice can say. It runs
 * the same pipeline and session as the app, so playback moving from phone to speaker carries on.
 */
export const speakerApp = new Hono<AppEnv>().get(
  "/:id/next",
  validate("param", ListenerParam),
  validate(
    "query",
    z.strictObject({
      activity: ContextQuery.activity,
      localTime: ContextQuery.localTime,
      timeZone: ContextQuery.timeZone,
    }),
  ),
  async (c) => {
    const { id } = c.req.valid("param");
    const result = await recommend(c.env, id, { limit: 1, context: { ...c.req.valid("query"), device: "speaker" } });
    const item = result.items[0];
    const track = item && result.tracks.get(item.trackId);
    if (!item || !track) return problemResponse(problem(503, "No track is available yet; the catalog is empty"));
    return c.json({
      trackId: track.id,
      say: `${track.title} by ${track.artistName}`,
      durationMs: track.features.durationMs,
      reason: item.reason.text,
    });
  },
);
