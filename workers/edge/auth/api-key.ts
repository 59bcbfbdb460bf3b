import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { apiKeys } from "../../../shared/db/schema";
import type { Env } from "../env";

export const ROLES = apiKeys.role.enumValues;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  hash: string;
  role: Role;
}

/** Longer values are not keys this service issued, and are refused without hashing or a lookup. */
export const MAX_API_KEY_LENGTH = 256;

/**
 * Keys are stored as SHA-256 digests, so a copy of the table grants nothing. A fast unsalted hash
 * is enough because issued keys are long random strings, not passwords.
 */
export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** How long an isolate trusts what it read about a key; a revocation takes effect within this time. */
const KEY_CACHE_TTL_MS = 60_000;
/** Unknown keys are cached too, so the cache is bounded; it is simply emptied when full. */
const KEY_CACHE_MAX_ENTRIES = 10_000;
const keyCache = new Map<string, { key: Promise<ApiKey | null>; readAt: number }>();

/**
 * The active key behind a presented value, or null. Held in isolate memory, so D1 is read once per
 * key per isolate and minute rather than on every request. While D1 cannot be read, an isolate keeps
 * trusting what it last read; a key it never saw cannot be checked, and the lookup throws.
 */
export async function findApiKey(env: Env, presented: string, now = Date.now()): Promise<ApiKey | null> {
  const hash = await hashApiKey(presented);
  const cached = keyCache.get(hash);
  if (cached && now - cached.readAt < KEY_CACHE_TTL_MS) return cached.key;
  if (keyCache.size >= KEY_CACHE_MAX_ENTRIES) keyCache.clear();
  const key = drizzle(env.DB)
    .select({ role: apiKeys.role, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.hash, hash))
    .then(([row]) => (row && row.revokedAt === null ? { hash, role: row.role } : null))
    .catch((error: unknown) => {
      if (cached) return cached.key;
      keyCache.delete(hash);
      throw error;
    });
  keyCache.set(hash, { key, readAt: now });
  return key;
}
