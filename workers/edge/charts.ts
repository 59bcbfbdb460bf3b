import { chartFromEvents, CHART_WINDOW_MS } from "../../shared/db/queries";
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
 * computed from D1. A region without enough listeners gets the global chart, which is what
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
    const regional = region ? published.charts.regions[region] : undefined;
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
  let rows = region ? await chartFromEvents(db, { region, since, limit }) : [];
  const regional = rows.length > 0;
  if (!regional) rows = await chartFromEvents(db, { region: null, since, limit });
  return { region: regional ? region : null, trackIds: rows.map((r) => r.trackId), source: "live" };
}
