import { Hono } from "hono";
import { z } from "zod";
import { Id, Limit, Region } from "../../../shared/api/schemas";
import { ACTIVITIES, DEVICES } from "../../../shared/catalog/types";
import type { AppEnv } from "../env";
import { listenerPseudonym, sessionOf } from "../listener";
import { currentModel } from "../model-store";
import { recommend } from "../recommend";
import { findTracks, trackSummary } from "../tracks";
import { validate } from "../validate";

export const ListenerParam = z.strictObject({ id: Id });

/** What a client may say about the moment; with none of it, the time of day is used. */
export const ContextQuery = {
  activity: z.enum(ACTIVITIES).optional(),
  device: z.enum(DEVICES).optional(),
  localTime: z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
      "must be an ISO 8601 date-time with offset",
    )
    .optional(),
  timeZone: z
    .string()
    .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/, "must be an IANA time zone such as Europe/Stockholm")
    .optional(),
  region: Region.optional(),
};

export const listenersApp = new Hono<AppEnv>()
  .get(
    "/:id/recommendations",
    validate("param", ListenerParam),
    validate("query", z.strictObject({ limit: Limit(20, 100), ...ContextQuery })),
    async (c) => {
      const { id } = c.req.valid("param");
      const { limit, region, ...context } = c.req.valid("query");
      const result = await recommend(c.env, id, { limit, context, region });
      return c.json({
        listenerId: id,
        modelVersion: result.modelVersion,
        source: result.source,
        personalized: result.personalized,
        items: result.items.flatMap((item, i) => {
          const track = result.tracks.get(item.trackId);
          return track
            ? [
                {
                  rank: i + 1,
                  ...trackSummary(track),
                  score: Math.round(item.score * 1e4) / 1e4,
                  reason: item.reason,
                  exploration: item.exploration,
                },
              ]
            : [];
        }),
      });
    },
  )
  /**
   * What the listener's last active device reported, so another device can pick up playback. The
   * position is projected forward from the last report while the track would still be playing.
   */
  .get("/:id/now-playing", validate("param", ListenerParam), async (c) => {
    const { id } = c.req.valid("param");
    const now = Date.now();
    const { state: session } = await sessionOf(c.env, await listenerPseudonym(c.env, id)).snapshot(now);
    const playing = session.nowPlaying;
    if (!playing) return c.json({ listenerId: id, nowPlaying: null });
    const model = await currentModel(c.env);
    const track = (await findTracks(c.env, model?.version ?? null, [playing.trackId])).get(playing.trackId);
    const duration = track?.features.durationMs ?? playing.positionMs;
    return c.json({
      listenerId: id,
      nowPlaying: {
        track: track ? trackSummary(track) : { id: playing.trackId },
        device: playing.device,
        reportedPositionMs: playing.positionMs,
        positionMs: Math.min(duration, playing.positionMs + Math.max(0, now - playing.updatedAt)),
        updatedAt: new Date(playing.updatedAt).toISOString(),
        devices: session.devices,
      },
    });
  });
