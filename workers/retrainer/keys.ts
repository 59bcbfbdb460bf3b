import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { hashApiKey, newApiKey, type Role } from "../../shared/auth/api-key";
import { apiKeys } from "../../shared/db/schema";
import type { Env } from "./env";

/** The keys as `npm run keys -- list` shows them: names, roles, hash prefixes and revocations, never a key. */
export function listKeys(env: Env) {
  return drizzle(env.DB)
    .select({
      name: apiKeys.name,
      role: apiKeys.role,
      hashPrefix: sql<string>`substr(${apiKeys.hash}, 1, 12)`,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(asc(apiKeys.createdAt));
}

/** A new key, stored as its hash only: the answer is the one time it is seen. */
export async function createKey(env: Env, role: Role, name: string, now = Date.now()) {
  const key = newApiKey(role);
  await drizzle(env.DB)
    .insert(apiKeys)
    .values({ hash: await hashApiKey(key), name, role, createdAt: now });
  return { key, role, name, createdAt: now };
}

/** Revokes every active key of `name`, as `npm run keys -- revoke` does; the edge trusts its copy for a minute more. */
export async function revokeKeys(env: Env, name: string, now = Date.now()): Promise<number> {
  const revoked = await drizzle(env.DB)
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.name, name), isNull(apiKeys.revokedAt)))
    .returning({ hash: apiKeys.hash });
  return revoked.length;
}
