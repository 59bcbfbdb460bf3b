import { readApiKey, type ApiKey } from "../../../shared/auth/api-key";
import type { Env } from "../env";

/** How long an isolate trusts what it read about a key; a revocation takes effect within this time. */
const KEY_CACHE_TTL_MS = 60_000;
/** Unknown keys are cached too, so the cache is bounded; it is simply emptied when full. */
const KEY_CACHE_MAX_ENTRIES = 10_000;
const keyCache = new Map<string, { key: Promise<ApiKey | null>; readAt: number }>();

/**
 * The active key stored under `hash`, or null. Held in isolate memory, so D1 is read once per
 * key per isolate and minute rather than on every request. While D1 cannot be read, an isolate keeps
 * trusting what it last read; a key it never saw cannot be checked, and the lookup throws.
 */
export async function findApiKey(env: Env, hash: string, now = Date.now()): Promise<ApiKey | null> {
  const cached = keyCache.get(hash);
  if (cached && now - cached.readAt < KEY_CACHE_TTL_MS) return cached.key;
  if (keyCache.size >= KEY_CACHE_MAX_ENTRIES) keyCache.clear();
  const key = readApiKey(env.DB, hash).catch((error: unknown) => {
    if (cached) return cached.key;
    keyCache.delete(hash);
    throw error;
  });
  keyCache.set(hash, { key, readAt: now });
  return key;
}
