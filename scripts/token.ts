/**
 * `npm run token -- <listener-id> [--ttl seconds]`: prints a listener token (a JWT signed with HS256)
 * for trying the API locally, signed with the development secret from .dev.vars (or
 * .dev.vars.example). In production a sign-in service issues these with the edge's
 * LISTENER_TOKEN_SECRET; set that variable in the environment to mint one with it.
 */
import { parseArgs } from "node:util";
import { Id } from "../shared/api/schemas";
import { signListenerToken } from "../workers/edge/auth/listener-token";
import { developmentTokenSecret } from "./dev-credentials";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { ttl: { type: "string", default: "3600" } },
});
const [listenerId] = positionals;
const ttl = Number(values.ttl);
if (!listenerId || !Id.safeParse(listenerId).success || !Number.isInteger(ttl) || ttl <= 0) {
  console.error("usage: npm run token -- <listener-id> [--ttl seconds]   (ids: 1-64 of A-Z a-z 0-9 _ -)");
  process.exit(2);
}

console.log(await signListenerToken(process.env.LISTENER_TOKEN_SECRET ?? developmentTokenSecret(), listenerId, ttl));
