import { Hono } from "hono";
import { z } from "zod";
import { Limit, Region } from "../../../shared/api/schemas";
import { topChart } from "../charts";
import { ROLES } from "../../../shared/auth/api-key";
import { requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { currentModel } from "../model-store";
import { findTracks, trackSummary } from "../tracks";
import { validate } from "../../../shared/api/validate";

export const chartsApp = new Hono<AppEnv>().get(
  "/top",
  requireRole(...ROLES),
  validate("query", z.strictObject({ region: Region.optional(), limit: Limit(50, 100) })),
  async (c) => {
    const { region, limit } = c.req.valid("query");
    const chart = await topChart(c.env, region ?? null, limit);
    const model = await currentModel(c.env);
    const found = await findTracks(c.env, model?.version ?? null, chart.trackIds);
    return c.json({
      region: chart.region,
      requestedRegion: region ?? null,
      source: chart.source,
      items: chart.trackIds.flatMap((id, i) => {
        const track = found.get(id);
        return track ? [{ rank: i + 1, ...trackSummary(track) }] : [];
      }),
    });
  },
);
