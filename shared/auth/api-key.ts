import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { problem, problemResponse } from "../api/problem";
import { apiKeys } from "../db/schema";
import { sha256Hex } from "../util/hash";

export const ROLES = apiKeys.role.enumValues;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  hash: string;
  role: Role;
  /** Who holds it, as issued: an operator's changes are recorded under it. */
  name: string;
}

/** A key's name, which operators revoke it by: `npm run keys` and the operator routes take the same. */
export const KeyName = z.string().regex(/^[\w .-]{1,64}$/, "must be 1-64 letters, digits, spaces, '.', '_' or '-'");

/** What creating a key takes (`npm run keys -- create`, `POST /admin/keys`). */
export const NewKeyRequest = z.strictObject({ role: z.enum(ROLES), name: KeyName });

/** A new key: 32 random bytes after a prefix that names its role, so a leaked key is recognised. */
export function newApiKey(role: Role): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `setlist_${role}_${btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "")}`;
}

export const API_KEY_HEADER = "x-api-key";
export const API_KEY_CHALLENGE = 'ApiKey realm="setlist"';

/** Longer values are not keys this service issued, and are refused without hashing or a lookup. */
export const MAX_API_KEY_LENGTH = 256;

/** Keys an isolate sees are the few its apps were issued; the bound only guards against a spray. */
const MAX_HASHED_KEYS = 1_000;

/**
 * Digests already taken, since every request presents its app's key again. Only the digest is held,
 * never whether the key is valid: the key's lookup (and its revocation) is the caller's, as before.
 */
const digests = new LRUCache<string, string>({ max: MAX_HASHED_KEYS, fetchMethod: (key) => sha256Hex(key) });

/**
 * Keys are stored as SHA-256 digests, so a copy of the table grants nothing. A fast unsalted hash
 * is enough because issued keys are long random strings, not passwords.
 */
export async function hashApiKey(key: string): Promise<string> {
  return (await digests.fetch(key))!;
}

/** The active key stored under `hash`, or null for an unknown or revoked one. Throws when D1 cannot be read. */
export async function readApiKey(db: D1Database, hash: string): Promise<ApiKey | null> {
  const [row] = await drizzle(db)
    .select({ role: apiKeys.role, name: apiKeys.name, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.hash, hash));
  return row && row.revokedAt === null ? { hash, role: row.role, name: row.name } : null;
}

export function unauthorized(detail: string, challenge: string): Response {
  return problemResponse(problem(401, detail), { "www-authenticate": challenge });
}

/**
 * Finds the key behind a hash: the key, null when there is none, or an answer that refuses the
 * request before any lookup (a rate limit). Throws when keys cannot be read.
 */
export type KeyLookup = (hash: string) => Promise<ApiKey | null | Response>;

/**
 * The caller's key if it is active and has one of `roles`, otherwise the answer refusing it: 401
 * without a key or with an unknown or revoked one, 403 with a key of another role, 503 while keys
 * cannot be read. Every worker that serves operator or app routes checks keys through this.
 */
export async function checkApiKey(
  presented: string | undefined,
  roles: readonly Role[],
  lookup: KeyLookup,
): Promise<ApiKey | Response> {
  if (!presented) return unauthorized(`Send your app's API key in the ${API_KEY_HEADER} header`, API_KEY_CHALLENGE);
  const key =
    presented.length <= MAX_API_KEY_LENGTH
      ? await lookup(await hashApiKey(presented)).catch(() => "unavailable" as const)
      : null;
  if (key instanceof Response) return key;
  if (key === "unavailable") {
    return problemResponse(problem(503, "API keys cannot be checked right now; try again shortly"), {
      "retry-after": "10",
    });
  }
  if (!key) return unauthorized("The API key is unknown or revoked", API_KEY_CHALLENGE);
  if (!roles.includes(key.role)) {
    return problemResponse(problem(403, `This route needs a ${roles.join(" or ")} key, not a ${key.role} key`));
  }
  return key;
}
