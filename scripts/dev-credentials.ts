/** The development credentials the README's examples and the local scripts use; never valid in production. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import type { ListenerTokenConfig } from "../workers/edge/auth/listener-token";
import type { NewKey } from "./keys";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const DEV_KEYS = {
  client: { key: "dev-client-key", role: "client", name: "development client" },
  speaker: { key: "dev-speaker-key", role: "speaker", name: "development speaker" },
  operator: { key: "dev-operator-key", role: "operator", name: "development operator" },
} as const satisfies Record<string, NewKey>;

/**
 * The port `npm start` serves on, and the one the local scripts look for it on: PORT if set, else
 * 8787. Each script takes --port too; give it the same one you gave `npm start`.
 */
export const DEFAULT_PORT = process.env.PORT ?? "8787";
export const localUrl = (port: string) => `http://127.0.0.1:${port}`;

/** The listener-token secret of local development: .dev.vars, else its committed example. */
function developmentTokenSecret(): string {
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    const path = resolve(root, file);
    const secret = existsSync(path) ? parseEnv(readFileSync(path, "utf8")).LISTENER_TOKEN_SECRET : undefined;
    if (secret) return secret;
  }
  throw new Error("LISTENER_TOKEN_SECRET is in neither .dev.vars nor .dev.vars.example");
}

/**
 * What `npm run token` signs with: the variables of the same names in the environment (a sign-in
 * service's real values) where set and not empty, else the development secret and the issuer and audience in wrangler.toml.
 */
export async function listenerTokenConfig(): Promise<ListenerTokenConfig> {
  const { LISTENER_TOKEN_SECRET, LISTENER_TOKEN_ISSUER, LISTENER_TOKEN_AUDIENCE } = process.env;
  // wrangler takes a couple of seconds to load, so it is loaded only when the environment lacks a value.
  const vars = async () => {
    const { unstable_readConfig } = await import("wrangler");
    return unstable_readConfig({ config: resolve(root, "wrangler.toml") }).vars as Record<string, string | undefined>;
  };
  const config = LISTENER_TOKEN_ISSUER && LISTENER_TOKEN_AUDIENCE ? {} : await vars();
  const issuer = LISTENER_TOKEN_ISSUER || config.LISTENER_TOKEN_ISSUER;
  const audience = LISTENER_TOKEN_AUDIENCE || config.LISTENER_TOKEN_AUDIENCE;
  if (!issuer || !audience)
    throw new Error("LISTENER_TOKEN_ISSUER and LISTENER_TOKEN_AUDIENCE are not in wrangler.toml");
  return {
    LISTENER_TOKEN_SECRET: LISTENER_TOKEN_SECRET || developmentTokenSecret(),
    LISTENER_TOKEN_ISSUER: issuer,
    LISTENER_TOKEN_AUDIENCE: audience,
  };
}
