import { Hono } from "hono";
import { z } from "zod";
import { Id, Limit, Region } from "../../../shared/api/schemas";
import { ACTIVITIES, DEVICES } from "../../../shared/catalog/types";
import type { AppEnv } from "../env";
import { recommend } from "../recommend";
import { trackSummary } from "../tracks";
import { validate } from "../validate";

export const ListenerParam = z.strictObject({ id: Id });

/** What a client may say about the moment; with none of it, the time of day is used. */
export const ContextQuery = {
  activity: z.enum(ACTIVITIES).optional(),
  device: z.enum(DEVICES).optional(),
  localTime: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, "must be an ISO 8601 date-time with offset").optional(),
  timeZone: z.string().regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/, "must be an IANA time zone such as Europe/Stockholm").optional(),
  region: Region.optional(),
};

export const listenersApp = new Hono<AppEnv>().get(
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
      items: result.items.flatMap((item, i) => {
        const track = result.tracks.get(item.trackId);
        return track
          ? [{ rank: i + 1, ...trackSummary(track), score: Math.round(item.score * 1e4) / 1e4, reason: item.reason, exploration: item.exploration }]
          : [];
      }),
    });
  },
);
