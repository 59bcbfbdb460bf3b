import { z } from "zod";
import { apiApp, createRoute, errorResponses, json } from "../../../shared/api/openapi";
import { Chart } from "../../../shared/api/responses";
import { Limit, Region } from "../../../shared/api/schemas";
import { topChart } from "../charts";
import { CHART_LENGTH } from "../../../shared/db/queries";
import { ROLES } from "../../../shared/auth/api-key";
import { forApp } from "../auth/require";
import type { AppEnv } from "../env";
import { currentModel } from "../model-store";
import { Degradation, findTracksDegrading } from "../degraded";
import { trackSummary } from "../tracks";

const topChartRoute = createRoute({
  method: "get",
  path: "/top",
  tags: ["Charts"],
  summary: "The most played tracks, worldwide or in a region",
  ...forApp(...ROLES),
  request: {
    query: z.strictObject({
      region: Region.optional().meta({ description: "ISO 3166-1 alpha-2 country code", example: "SE" }),
      limit: Limit(50, CHART_LENGTH).meta({ example: "10" }),
    }),
  },
  responses: {
    200: json(Chart, "The chart, most played first"),
    ...errorResponses(400, 401, 403, 429, 503),
  },
});

export const chartsApp = apiApp<AppEnv>().openapi(topChartRoute, async (c) => {
  const { region, limit } = c.req.valid("query");
  const degraded = new Degradation();
  const chart = await topChart(c.env, region ?? null, limit, degraded);
  const model = await degraded.read("kv", () => currentModel(c.env), null);
  const found = await findTracksDegrading(c.env, degraded, model?.version ?? null, chart.trackIds);
  return c.json(
    {
      region: chart.region,
      requestedRegion: region ?? null,
      source: chart.source,
      degraded: degraded.stores,
      items: chart.trackIds.flatMap((id, i) => {
        const track = found.get(id);
        return track ? [{ rank: i + 1, ...trackSummary(track) }] : [];
      }),
    },
    200,
  );
});
