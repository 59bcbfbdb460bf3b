import type { HonoRequest, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { APP_KEY, APP_KEY_AND_LISTENER } from "../../../shared/api/openapi";
import { API_KEY_HEADER, checkApiKey, unauthorized, type ApiKey, type Role } from "../../../shared/auth/api-key";
import type { Env } from "../env";
import { listenerPseudonym } from "../listener";
import { findApiKey, lookupUnderWay, verifiedApiKey } from "./api-key";
import { checkListenerToken } from "./listener-token";
import { rateLimit } from "./rate-limit";

const REALM = 'realm="setlist"';
/** Longer values are not tokens this service accepts; refused before any decoding. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * The calling app must present an active API key of one of `roles` in the x-api-key header: 401
 * without one, 403 with a key of another role. A key this isolate has not verified is first counted
 * against the client address's lookup budget (429 over it), so a spray of made-up keys is cut off
 * before it reaches D1. Requests are then counted per key (429 over the limit).
 */
export function requireRole(...roles: Role[]) {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const key = await appKey(c.env, c.req, roles);
    if (key instanceof Response) return key;
    const limited = await countKey(c.env, key);
    if (limited) return limited;
    await next();
  });
}

/**
 * A route for a listener: the app's key as requireRole checks it, and the signed-in listener's token
 * (`Authorization: Bearer <JWT>`): the route acts for the token's listener, `c.var.listener`. Requests
 * are counted per key and per listener, both counts made at once so the request waits for one round
 * trip to the limiters, not two; a request the key's budget refuses is still counted for its listener.
 */
function requireKeyAndListener(role: Role) {
  return createMiddleware<{ Bindings: Env; Variables: { listener: string; pseudonym: string } }>(async (c, next) => {
    const key = await appKey(c.env, c.req, [role]);
    if (key instanceof Response) return key;
    const keyLimited = countKey(c.env, key);
    const who = await tokenListener(c.env, c.req);
    // The key's refusal comes first, as when the key was counted before the token was read.
    if (who instanceof Response) return (await keyLimited) ?? who;
    // Counted under the pseudonym: raw listener ids are kept nowhere, the limiter's counters included.
    const [overKey, overListener] = await Promise.all([
      keyLimited,
      rateLimit(c.env, "LISTENER_RATE_LIMIT", `listener:${who.pseudonym}`, "listener"),
    ]);
    const limited = overKey ?? overListener;
    if (limited) return limited;
    c.set("listener", who.listener);
    c.set("pseudonym", who.pseudonym);
    await next();
  });
}

/** The caller's active key of one of `roles`, or the answer refusing it (see requireRole). */
function appKey(env: Env, req: HonoRequest, roles: readonly Role[]): Promise<ApiKey | Response> {
  // Cloudflare sets cf-connecting-ip itself; a request without it (a test, a service binding) shares one budget.
  const address = req.header("cf-connecting-ip") ?? "none";
  // Only a key that needs a lookup of its own is counted: a verified key is not, nor a request that
  // joins a lookup already under way, so an app's first burst of requests costs one.
  return checkApiKey(
    req.header(API_KEY_HEADER),
    roles,
    async (hash) =>
      verifiedApiKey(hash) ??
      lookupUnderWay(hash) ??
      (await rateLimit(env, "KEY_LOOKUP_RATE_LIMIT", `address:${address}`, "client address's unverified API keys")) ??
      findApiKey(env, hash),
  );
}

const countKey = (env: Env, key: ApiKey) => rateLimit(env, "API_KEY_RATE_LIMIT", `key:${key.hash}`, "API key");

/** The listener the request's token speaks for, with their pseudonym, or the 401 refusing the token. */
async function tokenListener(env: Env, req: HonoRequest): Promise<{ listener: string; pseudonym: string } | Response> {
  // A deployment without these fails loudly (500) rather than turning every listener away as
  // unauthorized, or (an empty issuer or audience) checking less than it says.
  for (const name of ["LISTENER_TOKEN_SECRET", "LISTENER_TOKEN_ISSUER", "LISTENER_TOKEN_AUDIENCE"] as const) {
    if (!env[name]) throw new Error(`${name} is not configured`);
  }
  const header = req.header("authorization");
  if (!header) return unauthorized("Send the listener's token as Authorization: Bearer <token>", `Bearer ${REALM}`);
  const token = header.length <= MAX_TOKEN_LENGTH ? /^Bearer +(\S+)$/i.exec(header)?.[1] : undefined;
  const check = token
    ? await checkListenerToken(env, token)
    : { rejected: "The Authorization header is not a Bearer token" };
  if ("rejected" in check) {
    return unauthorized(
      check.rejected,
      `Bearer ${REALM}, error="invalid_token", error_description="${check.rejected}"`,
    );
  }
  return { listener: check.listener, pseudonym: await listenerPseudonym(env, check.listener) };
}

/**
 * Spread into createRoute: the guard that runs before validation and the security the document
 * states for it. A route for a listener needs an app key of `role` and the listener's token.
 */
export function forListener(role: Role) {
  return { middleware: guards(requireKeyAndListener(role)), security: APP_KEY_AND_LISTENER };
}

/** A route an app calls with its key alone, for no listener. */
export function forApp(...roles: Role[]) {
  return { middleware: guards(requireRole(...roles)), security: APP_KEY };
}

/** A mutable tuple, so createRoute infers each guard's variables (`c.var.listener`) for the handler. */
const guards = <const M extends MiddlewareHandler[]>(...middleware: M) => middleware;
