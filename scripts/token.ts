/**
 * `npm run token -- <listener-id> [--ttl seconds]`: prints a listener token (a JWT signed with HS256)
 * for trying the API locally, signed with the development secret from .dev.vars (or
 * .dev.vars.example) and naming the issuer and audience in wrangler.toml. In production a sign-in
 * service issues these; set LISTENER_TOKEN_SECRET, LISTENER_TOKEN_ISSUER and LISTENER_TOKEN_AUDIENCE
 * in the environment to mint one with its values. A token lives at most 24 h.
 */
import { parseArgs } from "node:util";
import { Id } from "../shared/api/schemas";
import { MAX_LISTENER_TOKEN_TTL_SECONDS, signListenerToken } from "../workers/edge/auth/listener-token";
import { listenerTokenConfig } from "./dev-credentials";

const usage =
  `usage: npm run token -- <listener-id> [--ttl seconds]   (ids: 1-64 of A-Z a-z 0-9 _ -; ` +
  `ttl 1-${MAX_LISTENER_TOKEN_TTL_SECONDS}, default 3600)`;
const parsed = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { ttl: { type: "string", default: "3600" } } });
  } catch {
    return undefined;
  }
})();
const [listenerId] = parsed?.positionals ?? [];
const ttl = Number(parsed?.values.ttl);
if (
  !listenerId ||
  !Id.safeParse(listenerId).success ||
  !Number.isInteger(ttl) ||
  ttl <= 0 ||
  ttl > MAX_LISTENER_TOKEN_TTL_SECONDS
) {
  console.error(usage);
  process.exit(2);
}

console.log(await signListenerToken(await listenerTokenConfig(), listenerId, ttl));
