import { createMiddleware } from "hono/factory";
import { problem, problemResponse } from "../../../shared/api/problem";
import type { Env } from "../env";
import { listenerPseudonym } from "../listener";
import { findApiKey, MAX_API_KEY_LENGTH, type Role } from "./api-key";
import { checkListenerToken } from "./listener-token";
import { rateLimit } from "./rate-limit";

export const API_KEY_HEADER = "x-api-key";
const REALM = 'realm="setlist"';
/** Longer values are not tokens this service accepts; refused before any decoding. */
const MAX_TOKEN_LENGTH = 4096;

function unauthorized(detail: string, challenge: string): Response {
  return problemResponse(problem(401, detail), { "www-authenticate": challenge });
}

/**
 * The calling app must present an active API key of one of `roles` in the x-api-key header: 401
 * without one, 403 with a key of another role. Requests are then counted per key (429 over the limit).
 */
export function requireRole(...roles: Role[]) {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const presented = c.req.header(API_KEY_HEADER);
    const challenge = `ApiKey ${REALM}`;
    if (!presented) return unauthorized(`Send your app's API key in the ${API_KEY_HEADER} header`, challenge);
    const key =
      presented.length <= MAX_API_KEY_LENGTH
        ? await findApiKey(c.env, presented).catch(() => "unavailable" as const)
        : null;
    if (key === "unavailable") {
      return problemResponse(problem(503, "API keys cannot be checked right now; try again shortly"), {
        "retry-after": "10",
      });
    }
    if (!key) return unauthorized("The API key is unknown or revoked", challenge);
    if (!roles.includes(key.role)) {
      return problemResponse(problem(403, `This route needs a ${roles.join(" or ")} key, not a ${key.role} key`));
    }
    const limited = await rateLimit(c.env, "API_KEY_RATE_LIMIT", `key:${key.hash}`, "API key");
    if (limited) return limited;
    await next();
  });
}

/**
 * The request must carry the signed-in listener's token (`Authorization: Bearer <JWT>`): the routes
 * act for the token's listener, `c.var.listener`. Requests are then counted per listener.
 */
export function requireListener() {
  return createMiddleware<{ Bindings: Env; Variables: { listener: string } }>(async (c, next) => {
    // A deployment without the secret fails loudly (500) rather than turning every listener away as unauthorized.
    if (!c.env.LISTENER_TOKEN_SECRET) throw new Error("LISTENER_TOKEN_SECRET is not configured");
    const header = c.req.header("authorization");
    if (!header) return unauthorized("Send the listener's token as Authorization: Bearer <token>", `Bearer ${REALM}`);
    const token = header.length <= MAX_TOKEN_LENGTH ? /^Bearer +(\S+)$/i.exec(header)?.[1] : undefined;
    const check = token
      ? await checkListenerToken(c.env.LISTENER_TOKEN_SECRET, token)
      : { rejected: "The Authorization header is not a Bearer token" };
    if ("rejected" in check) {
      return unauthorized(
        check.rejected,
        `Bearer ${REALM}, error="invalid_token", error_description="${check.rejected}"`,
      );
    }
    // Counted under the pseudonym: raw listener ids are kept nowhere, the limiter's counters included.
    const pseudonym = await listenerPseudonym(c.env, check.listener);
    const limited = await rateLimit(c.env, "LISTENER_RATE_LIMIT", `listener:${pseudonym}`, "listener");
    if (limited) return limited;
    c.set("listener", check.listener);
    await next();
  });
}
