import { Hono } from "hono";
import { z } from "zod";
import { Limit, Region } from "../../../shared/api/schemas";
import { topChart } from "../charts";
import { ROLES } from "../../../shared/auth/api-key";
import { requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { currentModel } from "../model-store";
import { Degradation, findTracksDegrading } from "../degraded";
import { trackSummary } from "../tracks";
import { validate } from "../../../shared/api/validate";

export const chartsApp = new Hono<AppEnv>().get(
  "/top",
  requireRole(...ROLES),
  validate("query", z.strictObject({ region: Region.optional(), limit: Limit(50, 100) })),
  async (c) => {
    const { region, limit } = c.req.valid("query");
    const degraded = new Degradation();
    const chart = await topChart(c.env, region ?? null, limit, degraded);
    const model = await degraded.read("kv", () => currentModel(c.env), null);
    const found = await findTracksDegrading(c.env, degraded, model?.version ?? null, chart.trackIds);
    return c.json({
      region: chart.region,
      requestedRegion: region ?? null,
      source: chart.source,
      degraded: degraded.stores,
      items: chart.trackIds.flatMap((id, i) => {
        const track = found.get(id);
        return track ? [{ rank: i + 1, ...trackSummary(track) }] : [];
      }),
    });
  },
);
