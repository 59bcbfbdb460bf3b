import { Hono } from "hono";
import { problem, problemResponse } from "../../../shared/api/problem";
import { ContextQuery } from "../../../shared/api/schemas";
import { requireListener, requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { degradedField } from "../degraded";
import { recommend } from "../recommend";
import { validate } from "../../../shared/api/validate";

/**
 * Smart speakers get one next track in a few hundred bytes, with a title a voice can say. It runs
 * the same pipeline and session as the app, so playback moving from phone to speaker carries on.
 */
export const speakerApp = new Hono<AppEnv>().get(
  "/next",
  requireRole("speaker"),
  requireListener(),
  validate("query", ContextQuery.pick({ activity: true, localTime: true, timeZone: true })),
  async (c) => {
    const result = await recommend(c.env, c.var.pseudonym, {
      limit: 1,
      context: { ...c.req.valid("query"), device: "speaker" },
    });
    const item = result.items[0];
    const track = item && result.tracks.get(item.trackId);
    const { degraded } = result;
    if (!item || !track) {
      const why = degraded.length > 0 ? `the catalog is unreachable (${degraded.join(", ")})` : "the catalog is empty";
      return problemResponse(problem(503, `No track is available yet; ${why}`, { degraded }));
    }
    return c.json({
      trackId: track.id,
      say: `${track.title} by ${track.artistName}`,
      durationMs: track.features.durationMs,
      reason: item.reason.text,
      ...degradedField(degraded),
    });
  },
);
