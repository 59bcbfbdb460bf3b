import { env } from "cloudflare:workers";
import { hashApiKey, type Role } from "../shared/auth/api-key";

/** Stores an API key (hashed, as the operator command does) in this test file's D1. */
export async function storeApiKey(key: string, role: Role, revokedAt: number | null = null) {
  await env.DB.prepare(
    "INSERT OR IGNORE INTO api_keys (hash, name, role, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(await hashApiKey(key), `test ${role}`, role, Date.now(), revokedAt)
    .run();
}
