import { chartFromEvents, CHART_WINDOW_MS } from "../../shared/db/queries";
import type { Env } from "./env";
import { charts, currentModel } from "./model-store";

export interface Chart {
  region: string | null;
  trackIds: string[];
  source: "model" | "live";
}

/**
 * The published chart of the current model, or, before the first publish, one computed from D1.
 * A region without enough listeners gets the global chart, which is what listeners there hear anyway.
 */
export async function topChart(env: Env, region: string | null, limit: number): Promise<Chart> {
  const model = await currentModel(env);
  const published = model ? await charts(env, model.version) : null;
  if (published) {
    const regional = region ? published.regions[region] : undefined;
    return {
      region: regional ? region : null,
      trackIds: (regional ?? published.global).slice(0, limit),
      source: "model",
    };
  }
  const since = Date.now() - CHART_WINDOW_MS;
  let rows = region ? await chartFromEvents(env.DB, { region, since, limit }) : [];
  const regional = rows.length > 0;
  if (!regional) rows = await chartFromEvents(env.DB, { region: null, since, limit });
  return { region: regional ? region : null, trackIds: rows.map((r) => r.trackId), source: "live" };
}
