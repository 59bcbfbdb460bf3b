import { spawnSync } from "node:child_process";
import { decode } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { MAX_LISTENER_TOKEN_TTL_SECONDS } from "../workers/edge/auth/listener-token";

// Without a sign-in service's values in the environment, the script takes the development ones.
const { LISTENER_TOKEN_ISSUER: _issuer, LISTENER_TOKEN_AUDIENCE: _audience, ...env } = process.env;
const token = (...args: string[]) =>
  spawnSync("node_modules/.bin/tsx", ["scripts/token.ts", ...args], {
    encoding: "utf8",
    env: env as typeof process.env,
  });

describe("npm run token", () => {
  it("issues a token with the issuer and audience of wrangler.toml, for at most the maximum lifetime", () => {
    const longest = token("demo-1", "--ttl", String(MAX_LISTENER_TOKEN_TTL_SECONDS));
    expect(longest.status, longest.stderr).toBe(0);
    const { payload } = decode(longest.stdout.trim());
    expect(payload).toMatchObject({ sub: "demo-1", iss: "setlist-development-sign-in", aud: "setlist-api" });
    expect(payload.exp! - payload.iat!).toBe(MAX_LISTENER_TOKEN_TTL_SECONDS);

    for (const args of [["demo-1", "--ttl", String(MAX_LISTENER_TOKEN_TTL_SECONDS + 1)], ["--help"], []]) {
      const refused = token(...args);
      expect(refused.status, args.join(" ")).toBe(2);
      expect(refused.stderr).toContain(`ttl 1-${MAX_LISTENER_TOKEN_TTL_SECONDS}`);
    }
  }, 60_000);
});
