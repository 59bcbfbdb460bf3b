import type { ServedVariant } from "../../shared/analytics/attribution";
import type { Device } from "../../shared/catalog/types";
import { assign, needsFirstSeen, servingOf, type Serving } from "../../shared/experiments/assignment";
import { NO_LIVE_SET, type ExperimentSurface } from "../../shared/experiments/definition";
import { bucketUpperMs, latencyBucket } from "../../shared/experiments/latency";
import type { ModelPointer } from "../../shared/publish/artifacts";
import type { Degradation } from "./degraded";
import type { Env } from "./env";
import { sessionOf } from "./listener";
import type { SessionView } from "./session";

/** Where an answer is asked for, as targeting sees it. */
export interface ServingRequest {
  surface: ExperimentSurface;
  region: string | null;
  device: Device | null;
}

export interface ExperimentServing extends Serving {
  variants: ServedVariant[];
}

/**
 * How to serve this listener: the shipped defaults, with the variants of the experiments they are
 * assigned to on top. Only listeners whose session object answered, with analytics consent, are
 * assigned: their exposure can be logged and counted. Outside experiments this costs nothing more
 * than the pointer the edge reads anyway.
 */
export async function experimentServing(
  env: Env,
  degraded: Degradation,
  listener: string,
  view: SessionView | null,
  pointer: ModelPointer | null,
  request: ServingRequest | undefined,
): Promise<ExperimentServing> {
  const live = pointer?.live ?? NO_LIVE_SET;
  const running = request && view?.consent.analytics ? live.experiments : [];
  if (running.length === 0) return { ...servingOf([], live.defaults), variants: [] };
  const firstSeenAt =
    view!.experiments.firstSeenAt ??
    (needsFirstSeen(running)
      ? await degraded.read("session", () => sessionOf(env, listener).firstSeen(listener), null)
      : null);
  const assignments = assign(running, listener, { ...request!, firstSeenAt });
  return {
    ...servingOf(assignments, live.defaults),
    variants: assignments.map((a) => ({ experimentId: a.experimentId, variant: a.variant.name })),
  };
}

/**
 * Logs the first exposure of each variant served, before the answer goes out: awaited, so an answer
 * of a variant is never served with its exposure unlogged (what the object holds reaches D1 through
 * its outbox). Only the first answer of each experiment asks the object; the view says which it has.
 */
export async function logExposures(
  env: Env,
  degraded: Degradation,
  listener: string,
  view: SessionView,
  variants: readonly ServedVariant[],
): Promise<void> {
  const fresh = variants.filter((v) => !view.experiments.exposed.includes(v.experimentId));
  if (fresh.length > 0) await degraded.read("session", () => sessionOf(env, listener).exposed(listener, fresh), null);
}

/**
 * Serving times per (experiment, variant, bucket), summed in the isolate and added to D1's
 * experiment_latency at most every EXPERIMENT_LATENCY_FLUSH_MS: a histogram's counts, with no
 * listener in them. Lossy by design: what an isolate holds when it is evicted, or a write that
 * fails, is lost, which a p99 read from thousands of answers does not notice.
 */
const pending = new Map<string, { experimentId: string; variant: string; bucket: number; count: number }>();
let flushedAt = 0;

export function timeAnswer(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
  variants: readonly ServedVariant[],
  ms: number,
  now = Date.now(),
): void {
  if (variants.length === 0) return;
  const bucket = latencyBucket(ms);
  for (const { experimentId, variant } of variants) {
    const key = `${experimentId}/${variant}/${bucket}`;
    const entry = pending.get(key) ?? { experimentId, variant, bucket, count: 0 };
    entry.count++;
    pending.set(key, entry);
  }
  if (now - flushedAt < Number(env.EXPERIMENT_LATENCY_FLUSH_MS)) return;
  flushedAt = now;
  const rows = [...pending.values()];
  pending.clear();
  ctx.waitUntil(
    env.DB.batch(
      rows.map((r) =>
        env.DB.prepare(
          `INSERT INTO experiment_latency (experiment_id, variant, bucket, upper_ms, count) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (experiment_id, variant, bucket) DO UPDATE SET count = count + excluded.count`,
        ).bind(r.experimentId, r.variant, r.bucket, bucketUpperMs(r.bucket), r.count),
      ),
    ).catch((error: unknown) =>
      console.error(JSON.stringify({ msg: "experiment latency not stored", rows: rows.length, error: String(error) })),
    ),
  );
}
