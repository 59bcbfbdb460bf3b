import { sign, verify } from "hono/jwt";
import { LRUCache } from "lru-cache";
import { JwtPayloadRequiresAud, JwtTokenAudience, JwtTokenIssuer } from "hono/utils/jwt/types";
import { z } from "zod";
import { Id } from "../../../shared/api/schemas";
import type { Env } from "../env";

const ALGORITHM = "HS256";

/**
 * The longest a listener token may live. Tokens are checked without a lookup, so there is no way to
 * revoke one: a leaked token works until it expires. A day bounds that, and an app renews its
 * listener's token from the sign-in service at least daily (a listening session rarely lasts longer).
 */
export const MAX_LISTENER_TOKEN_TTL_SECONDS = 24 * 3600;
const MAX_LIFETIME = `${MAX_LISTENER_TOKEN_TTL_SECONDS / 3600} h`;

/** What signs and checks listener tokens: the shared secret, and who issues them for which API. */
export type ListenerTokenConfig = Pick<
  Env,
  "LISTENER_TOKEN_SECRET" | "LISTENER_TOKEN_ISSUER" | "LISTENER_TOKEN_AUDIENCE"
>;

/** Other claims (iat, nbf) may be present; sub and exp must be (exp a NumericDate, RFC 7519). */
const ListenerClaims = z.object({ sub: Id, exp: z.number() });

type TokenCheck = { listener: string } | { rejected: string };

function reasonFor(error: unknown): string {
  if (error instanceof JwtTokenIssuer) return "The listener token's issuer (iss) is not this service's sign-in";
  if (error instanceof JwtTokenAudience || error instanceof JwtPayloadRequiresAud) {
    return "The listener token's audience (aud) is not this API";
  }
  return "The listener token is invalid";
}

/** Listeners whose requests an isolate serves within a token's life: more only cost a verification each. */
const MAX_ACCEPTED_TOKENS = 10_000;

/**
 * Tokens this isolate accepted, with who they speak for and when they expire: a listener's app sends
 * one token for hours, and its check (an HMAC, a decoding, the claims) is a pure function of the token
 * and the config, so it is done once. Only what can change with time is checked again: the expiry (nbf
 * and iat, once passed, stay passed; the lifetime only shrinks). Keyed by the config too, so a token is
 * never taken on another secret's word.
 */
const accepted = new LRUCache<string, { listener: string; exp: number }>({ max: MAX_ACCEPTED_TOKENS });

/**
 * Who a listener token speaks for, or why it is refused. Signature, iss, aud, nbf and iat are
 * checked by hono/jwt; exp here, because hono/jwt reports an exp of the wrong type as expired, and
 * because it has no maximum lifetime.
 */
export async function checkListenerToken(
  config: ListenerTokenConfig,
  token: string,
  now = Date.now(),
): Promise<TokenCheck> {
  const key = JSON.stringify([
    config.LISTENER_TOKEN_SECRET,
    config.LISTENER_TOKEN_ISSUER,
    config.LISTENER_TOKEN_AUDIENCE,
    token,
  ]);
  const known = accepted.get(key);
  if (known && known.exp > Math.floor(now / 1000)) return { listener: known.listener };
  const check = await verifyListenerToken(config, token, now);
  if ("rejected" in check) {
    accepted.delete(key);
    return check;
  }
  accepted.set(key, check);
  return { listener: check.listener };
}

async function verifyListenerToken(
  config: ListenerTokenConfig,
  token: string,
  now: number,
): Promise<{ listener: string; exp: number } | { rejected: string }> {
  let payload: unknown;
  try {
    payload = await verify(token, config.LISTENER_TOKEN_SECRET, {
      alg: ALGORITHM,
      iss: config.LISTENER_TOKEN_ISSUER,
      aud: config.LISTENER_TOKEN_AUDIENCE,
      exp: false,
    });
  } catch (error) {
    return { rejected: reasonFor(error) };
  }
  const claims = ListenerClaims.safeParse(payload);
  if (!claims.success) {
    return { rejected: "The listener token needs a listener id in sub and an expiry in exp (seconds since 1970)" };
  }
  const secondsLeft = claims.data.exp - Math.floor(now / 1000);
  if (secondsLeft <= 0) return { rejected: "The listener token has expired" };
  if (secondsLeft > MAX_LISTENER_TOKEN_TTL_SECONDS) {
    return { rejected: `The listener token lives longer than the maximum of ${MAX_LIFETIME}` };
  }
  return { listener: claims.data.sub, exp: claims.data.exp };
}

/** A token for one listener, as a sign-in service would issue it (used by `npm run token` and the tests). */
export async function signListenerToken(
  config: ListenerTokenConfig,
  listenerId: string,
  ttlSeconds: number,
  now = Date.now(),
): Promise<string> {
  if (ttlSeconds > MAX_LISTENER_TOKEN_TTL_SECONDS) {
    throw new Error(`A listener token lives at most ${MAX_LIFETIME} (${MAX_LISTENER_TOKEN_TTL_SECONDS} s)`);
  }
  const issuedAt = Math.floor(now / 1000);
  return sign(
    {
      sub: listenerId,
      iss: config.LISTENER_TOKEN_ISSUER,
      aud: config.LISTENER_TOKEN_AUDIENCE,
      iat: issuedAt,
      exp: issuedAt + ttlSeconds,
    },
    config.LISTENER_TOKEN_SECRET,
    ALGORITHM,
  );
}
