import { asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { experiments } from "../../shared/db/schema";
import type { ExperimentInput, LiveExperiment, LiveSet, RankingOverrides } from "../../shared/experiments/definition";
import type { Env } from "./env";

export type ExperimentRow = typeof experiments.$inferSelect;

export const definitionOf = (row: ExperimentRow) => row.definition as ExperimentInput;

/**
 * The set the edge serves by, from D1: experiments running now, and the shipped variants' overrides
 * (in the order their experiments stopped, a later one's knob over an earlier one's).
 */
export async function liveSet(env: Env): Promise<LiveSet> {
  const d = drizzle(env.DB);
  const [running, shipped] = await Promise.all([
    d.select().from(experiments).where(eq(experiments.status, "running")),
    d.select().from(experiments).where(eq(experiments.status, "shipped")).orderBy(asc(experiments.stoppedAt)),
  ]);
  const defaults: RankingOverrides = {};
  for (const row of shipped) {
    const variant = definitionOf(row).variants.find((v) => v.name === row.shippedVariant);
    Object.assign(defaults, variant?.overrides ?? {});
  }
  return { experiments: running.map(liveExperiment), defaults };
}

function liveExperiment(row: ExperimentRow): LiveExperiment {
  return {
    ...definitionOf(row),
    id: row.id,
    salt: row.salt,
    buckets: [row.bucketFrom!, row.bucketTo!],
    startedAt: row.startedAt!,
  };
}
