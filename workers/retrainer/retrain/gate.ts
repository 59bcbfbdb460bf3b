import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { modelVersions } from "../../../shared/db/schema";
import type { ModelPointer } from "../../../shared/publish/artifacts";
import { promotionDecision, type PromotionDecision } from "../../../shared/publish/promotion";
import type { Env } from "../env";
import { gateInput } from "../holdout-scores";
import { currentPointer, getVersion, promote, type VersionMetrics } from "../versions";

/**
 * A fully written version goes live only if it is not clearly worse than the live one on the listeners both
 * evaluated (promotionDecision); otherwise it stays `rejected`, kept for an operator who may still promote
 * it. A version trained elsewhere with no holdout figures goes live only when there is no live version.
 */
export async function gateAndSwitchPointer(
  env: Env,
  version: string,
  now = Date.now(),
): Promise<PromotionDecision | null> {
  const row = await getVersion(env, version);
  if (!row || row.status !== "building") return null;
  const metrics = row.metrics as VersionMetrics | null;
  const live = await currentPointer(env);
  const liveRow = live && live.version !== version ? await getVersion(env, live.version) : undefined;
  const liveHoldout = (liveRow?.metrics as VersionMetrics | undefined)?.holdout;
  const decision = metrics?.holdout
    ? promotionDecision(
        await gateInput(env.DB, version, metrics.holdout),
        liveRow && liveHoldout ? await gateInput(env.DB, liveRow.version, liveHoldout) : null,
      )
    : unjudgedDecision(version, live);
  const d = drizzle(env.DB);
  await d
    .update(modelVersions)
    .set({ status: decision.promote ? "published" : "rejected", metrics: { ...metrics, promotion: decision } })
    .where(eq(modelVersions.version, version));
  if (decision.promote) await promote(env, version, now);
  return decision;
}

function unjudgedDecision(version: string, live: ModelPointer | null): PromotionDecision {
  if (!live) return { promote: true, reason: "no live version to compare with", basis: "no live version" };
  return {
    promote: false,
    basis: "unjudged",
    live: live.version,
    reason:
      `it was trained elsewhere without holdout figures, so it cannot be compared with live version ${live.version}: ` +
      `POST /admin/models/${version}/promote puts it live.`,
  };
}
