import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** What `wrangler deploy` would upload, built without an account: each worker bundles and validates. */
describe.each(["wrangler.toml", "workers/retrainer/wrangler.toml"])("wrangler deploy --dry-run -c %s", (config) => {
  it("builds the worker", () => {
    const outdir = mkdtempSync(join(tmpdir(), "setlist-deploy-"));
    const result = spawnSync("node_modules/.bin/wrangler", ["deploy", "--dry-run", "--outdir", outdir, "-c", config], {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("--dry-run: exiting now.");
    expect(readdirSync(outdir)).toContain("index.js");
    rmSync(outdir, { recursive: true, force: true });
  }, 60_000);
});
