/**
 * `npm run token -- <listener-id> [--ttl seconds]`: prints a listener token (a JWT signed with HS256)
 * for trying the API locally, signed with the development secret from .dev.vars (or
 * .dev.vars.example). In production a sign-in service issues these with the edge's
 * LISTENER_TOKEN_SECRET; set that variable in the environment to mint one with it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, parseEnv } from "node:util";
import { Id } from "../shared/api/schemas";
import { signListenerToken } from "../workers/edge/auth/listener-token";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
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

function developmentSecret(): string {
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    const path = resolve(root, file);
    const secret = existsSync(path) ? parseEnv(readFileSync(path, "utf8")).LISTENER_TOKEN_SECRET : undefined;
    if (secret) return secret;
  }
  throw new Error("LISTENER_TOKEN_SECRET is in neither .dev.vars nor .dev.vars.example");
}

console.log(await signListenerToken(process.env.LISTENER_TOKEN_SECRET ?? developmentSecret(), listenerId, ttl));
