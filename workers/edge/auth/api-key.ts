import { readApiKey, type ApiKey } from "../../../shared/auth/api-key";
import type { Env } from "../env";

/** How long an isolate trusts what it read about a key; a revocation takes effect within this time. */
const KEY_CACHE_TTL_MS = 60_000;
/** Verified keys are as many as operators issued; the bound only guards against a runaway. */
const MAX_VERIFIED_KEYS = 10_000;
/** Unknown and revoked keys are bounded on their own, so no number of them can push out a verified key. */
const MAX_UNKNOWN_KEYS = 1_000;

/** A map that forgets its oldest entry to make room for a new one. */
class BoundedMap<V> extends Map<string, V> {
  readonly #max: number;

  constructor(max: number) {
    super();
    this.#max = max;
  }

  override set(key: string, value: V): this {
    this.delete(key);
    if (this.size >= this.#max) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}

/** Held in isolate memory, so D1 is read once per key per isolate and minute rather than on every request. */
const verified = new BoundedMap<{ key: ApiKey; readAt: number }>(MAX_VERIFIED_KEYS);
const unknownReadAt = new BoundedMap<number>(MAX_UNKNOWN_KEYS);
/** Lookups under way, so that concurrent requests with one key read D1 once. */
const reading = new Map<string, Promise<ApiKey | null>>();

/** The key stored under `hash` if this isolate verified it within the cache time; no lookup. */
export function verifiedApiKey(hash: string, now = Date.now()): ApiKey | undefined {
  const entry = verified.get(hash);
  return entry && now - entry.readAt < KEY_CACHE_TTL_MS ? entry.key : undefined;
}

/** The lookup of `hash` already under way in this isolate, if any. */
export function lookupUnderWay(hash: string): Promise<ApiKey | null> | undefined {
  return reading.get(hash);
}

/**
 * The active key stored under `hash`, or null, read from D1 unless this isolate read it within the
 * cache time. While D1 cannot be read, an isolate keeps trusting the keys it verified; a key it never
 * verified cannot be checked, and the lookup throws.
 */
export function findApiKey(env: Env, hash: string, now = Date.now()): Promise<ApiKey | null> {
  const fresh = verifiedApiKey(hash, now);
  if (fresh) return Promise.resolve(fresh);
  const refusedAt = unknownReadAt.get(hash);
  if (refusedAt !== undefined && now - refusedAt < KEY_CACHE_TTL_MS) return Promise.resolve(null);
  let lookup = reading.get(hash);
  if (!lookup) {
    lookup = readApiKey(env.DB, hash)
      .then(
        (key) => {
          if (key) {
            verified.set(hash, { key, readAt: now });
            unknownReadAt.delete(hash);
          } else {
            unknownReadAt.set(hash, now);
            verified.delete(hash);
          }
          return key;
        },
        (error: unknown) => {
          const stale = verified.get(hash);
          if (stale) return stale.key;
          throw error;
        },
      )
      .finally(() => reading.delete(hash));
    reading.set(hash, lookup);
  }
  return lookup;
}
