import type { Context } from "hono";
import { problemJson } from "../../shared/api/openapi";
import type { CatalogTrack } from "../../shared/publish/artifacts";
import type { Env } from "./env";
import { catalogTracks } from "./model-store";
import { findTracks } from "./tracks";

/** The stores behind an answer, each of which it can do without. */
export type Store = "kv" | "d1" | "session" | "r2";

/**
 * What one request had to do without. Reads of a store go through `read`, which answers a fallback
 * when the store fails, so a route serves a lesser answer, and says which stores it lacked, rather
 * than a 5xx. A strict instance lets failures through, for callers with no way to report them.
 */
export class Degradation {
  readonly #down = new Set<Store>();

  constructor(readonly tolerant = true) {}

  async read<T>(store: Store, load: () => Promise<T>, fallback: T): Promise<T> {
    if (!this.tolerant) return load();
    try {
      return await load();
    } catch (error) {
      if (!this.#down.has(store)) {
        // The first line only: drizzle appends the query's parameters, listener pseudonyms among them.
        const reason = String(error).split("\n")[0];
        console.error(JSON.stringify({ msg: "store unavailable; answering degraded", store, error: reason }));
      }
      this.#down.add(store);
      return fallback;
    }
  }

  /** The stores that failed, in a stable order, for the response's `degraded` field. */
  get stores(): Store[] {
    return [...this.#down].sort();
  }
}

/** For answers kept small (accepted writes, speakers): `degraded` appears only when a store failed. */
export function degradedField(stores: Store[]): { degraded?: Store[] } {
  return stores.length > 0 ? { degraded: stores } : {};
}

/**
 * When neither store could say whether a track or choice exists: a 503 to retry, never a 404 or 422
 * that would tell the client its request was wrong.
 */
export function catalogUnavailable(c: Context, degraded: Degradation) {
  const stores = degraded.stores;
  return problemJson(
    c,
    503,
    `The catalog cannot be read right now (${stores.join(", ")} unavailable); try again shortly`,
    { degraded: stores },
    { "retry-after": "10" },
  );
}

/**
 * Track metadata from the published catalog's shards (KV), or from D1 when KV is down; when D1 is down
 * too, whatever the shards had.
 */
export async function findTracksDegrading(
  env: Env,
  degraded: Degradation,
  version: string | null,
  ids: readonly string[],
): Promise<Map<string, CatalogTrack>> {
  const published = version ? await degraded.read("kv", () => catalogTracks(env, version, ids), null) : null;
  const missing = ids.filter((id) => !published?.has(id));
  if (published && missing.length === 0) return published;
  const fromD1 = await degraded.read("d1", () => findTracks(env, null, missing), new Map<string, CatalogTrack>());
  return new Map([...(published ?? []), ...fromD1]);
}
