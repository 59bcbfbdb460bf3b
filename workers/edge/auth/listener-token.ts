import { sign, verify } from "hono/jwt";
import { JwtTokenExpired } from "hono/utils/jwt/types";
import { z } from "zod";
import { Id } from "../../../shared/api/schemas";

const ALGORITHM = "HS256";

/** Other claims (iat, nbf, iss) may be present; sub and exp must be. */
const ListenerClaims = z.object({ sub: Id, exp: z.number().int() });

type TokenCheck = { listener: string } | { rejected: string };

/** Who a listener token speaks for, or why it is refused. Signature, exp, nbf and iat are checked by hono/jwt. */
export async function checkListenerToken(secret: string, token: string): Promise<TokenCheck> {
  let payload: unknown;
  try {
    payload = await verify(token, secret, ALGORITHM);
  } catch (error) {
    return {
      rejected: error instanceof JwtTokenExpired ? "The listener token has expired" : "The listener token is invalid",
    };
  }
  const claims = ListenerClaims.safeParse(payload);
  return claims.success
    ? { listener: claims.data.sub }
    : { rejected: "The listener token needs a listener id in sub and an expiry in exp" };
}

/** A token for one listener, as a sign-in service would issue it (used by `npm run token` and the tests). */
export function signListenerToken(secret: string, listenerId: string, ttlSeconds: number, now = Date.now()) {
  const issuedAt = Math.floor(now / 1000);
  return sign({ sub: listenerId, iat: issuedAt, exp: issuedAt + ttlSeconds }, secret, ALGORITHM);
}
