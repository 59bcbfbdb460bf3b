import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_PERSIST_TO, parseCommand } from "./keys";

const keys = (...args: string[]) =>
  spawnSync("node_modules/.bin/tsx", ["scripts/keys.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });

describe("npm run keys", () => {
  it("works on npm start's local database unless told otherwise, and knows --help", () => {
    expect(parseCommand(["list"])?.values).toMatchObject({ "persist-to": DEFAULT_PERSIST_TO, remote: false });
    expect(parseCommand(["--help"])?.values.help).toBe(true);
    expect(parseCommand(["-h"])?.values.help).toBe(true);
    expect(parseCommand(["list", "--no-such-option"])).toBeUndefined();

    const help = keys("--help");
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run keys -- create/);
    expect(keys("--no-such-option").status).toBe(2);
  }, 30_000);

  it("says to run npm start first when the local database does not exist yet", () => {
    const empty = mkdtempSync(join(tmpdir(), "setlist-keys-"));
    try {
      const list = keys("list", "--persist-to", empty);
      expect(list.status).toBe(1);
      expect(list.stderr).toContain(`There is no local database in ${empty} yet: run npm start first`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 60_000);
});
