import { LAKE_EVENTS_PREFIX } from "../../shared/lake/partitions";
import type { Env } from "./env";
import { withdrawnListeners } from "./training-data";

/**
 * The lake as an operator's trainer reads it through the edge (`npm run train:offline -- --from`): its
 * objects page by page, one object's NDJSON, and the listeners a trainer must leave out.
 */
export async function listLakeObjects(env: Env, cursor: string | undefined) {
  const page = await env.LAKE.list({ prefix: LAKE_EVENTS_PREFIX, cursor, limit: 1000 });
  return {
    objects: page.objects.map((o) => ({ key: o.key, size: o.size })),
    cursor: page.truncated ? page.cursor : null,
  };
}

export async function readLakeObject(env: Env, key: string): Promise<ReadableStream | null> {
  return (await env.LAKE.get(key))?.body ?? null;
}

/**
 * Listeners whose lines are in the lake but who withdrew personalization consent: no model may learn from
 * them (the retrainer leaves them out of D1's training set the same way). Erased listeners have no lines left.
 */
export async function withheldListeners(env: Env): Promise<string[]> {
  return [...(await withdrawnListeners(env.DB))].sort();
}
