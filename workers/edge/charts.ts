import { crowdChart } from "../../shared/crowd";
import { CHART_LENGTH, chartFromEvents, CHART_WINDOW_MS } from "../../shared/db/queries";
import { Degradation } from "./degraded";
import type { Env } from "./env";
import { charts, currentModel } from "./model-store";

export interface Chart {
  region: string | null;
  trackIds: string[];
  source: "model" | "live";
}

/**
 * The published chart of the current model, or, before the first publish or while KV is down, one
 * computed from D1. A region without a chart of its own (crowdChart) gets the global chart, which is what
 * listeners there hear anyway. With a tolerant `degraded`, a chart no store can give is empty.
 */
export async function topChart(
  env: Env,
  region: string | null,
  limit: number,
  degraded = new Degradation(false),
): Promise<Chart> {
  const model = await degraded.read("kv", () => currentModel(env), null);
  const published = model ? await degraded.read("kv", () => charts(env, model.version), null) : null;
  if (published) {
    // A version published before regions without a crowd were left out holds an empty chart for them.
    const own = region ? published.charts.regions[region] : undefined;
    const regional = own?.length ? own : undefined;
    return {
      region: regional ? region : null,
      trackIds: (regional ?? published.charts.global).slice(0, limit),
      source: "model",
    };
  }
  return degraded.read("d1", () => liveChart(env.DB, region, limit), { region: null, trackIds: [], source: "live" });
}

async function liveChart(db: D1Database, region: string | null, limit: number): Promise<Chart> {
  const since = Date.now() - CHART_WINDOW_MS;
  // The whole chart is read to tell whether the region has one of its own, as a published chart does.
  const regional = region
    ? crowdChart(await chartFromEvents(db, { region, since, limit: CHART_LENGTH }), CHART_LENGTH)
    : null;
  const trackIds = regional ?? (await chartFromEvents(db, { region: null, since, limit })).map((r) => r.trackId);
  return { region: regional ? region : null, trackIds: trackIds.slice(0, limit), source: "live" };
}
