/** The development credentials the README's examples and the local scripts use; never valid in production. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
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
export function developmentTokenSecret(): string {
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    const path = resolve(root, file);
    const secret = existsSync(path) ? parseEnv(readFileSync(path, "utf8")).LISTENER_TOKEN_SECRET : undefined;
    if (secret) return secret;
  }
  throw new Error("LISTENER_TOKEN_SECRET is in neither .dev.vars nor .dev.vars.example");
}
