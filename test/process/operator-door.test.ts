import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_KEYS } from "../../scripts/dev-credentials";
import { executeSql, storeKeys } from "../../scripts/keys";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const VERSION = "v20260101000000-abcdef";
/**
 * The local runtime's entry sends a request carrying this header to the named worker, whatever the
 * URL. wrangler's public port (the edge's) answers it with "No entrypoint worker found"; the inner
 * workerd's own entry socket, on a random port of 127.0.0.1, honours it.
 */
const TO_RETRAINER = { "MF-Route-Override": "setlist-retrainer" };

/** The TCP ports that processes of `processGroup` listen on (Linux: `ss` and /proc). */
function listeningPorts(processGroup: number): number[] {
  const listening = spawnSync("ss", ["-ltnpH"], { encoding: "utf8" }).stdout;
  return listening.split("\n").flatMap((line) => {
    const pid = /pid=(\d+)/.exec(line)?.[1];
    const port = /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (!pid || !port) return [];
    // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."
    const group = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[2];
    return Number(group) === processGroup ? [Number(port)] : [];
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

let dev: ChildProcess;
let base: string;
let persistTo: string;
/** The inner runtime's entry, where the header reaches the retrainer. */
let internal: string;

/** The two workers in one `wrangler dev`, as `npm start` runs them, with a published version that is not live. */
beforeAll(async () => {
  persistTo = mkdtempSync(join(tmpdir(), "setlist-door-"));
  const migrate = spawnSync(
    "node_modules/.bin/wrangler",
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo, "-c", "wrangler.toml"],
    { env, encoding: "utf8" },
  );
  expect(migrate.status, migrate.stderr).toBe(0);
  await storeKeys({ persistTo }, [DEV_KEYS.operator]);
  executeSql(
    { persistTo },
    `INSERT INTO model_versions (version, algorithm, status, trigger, created_at, published_at) VALUES ('${VERSION}', 'als', 'published', 'test', 1, 1)`,
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dev = spawn(
    "node_modules/.bin/wrangler",
    [
      ...["dev", "-c", "wrangler.toml", "-c", "workers/retrainer/wrangler.toml", "--persist-to", persistTo],
      ...["--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false"],
    ],
    { env, stdio: "ignore", detached: true },
  );
  for (;;) {
    const up = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (dev.exitCode !== null) throw new Error(`wrangler dev exited with ${dev.exitCode}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // The edge has /health, the retrainer has no such route: its 404 shows which port lets the header through.
  for (const port of listeningPorts(dev.pid!)) {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { headers: TO_RETRAINER }).catch(() => null);
    if ((await res?.text())?.includes("No route for GET /health")) internal = `http://127.0.0.1:${port}`;
  }
}, 120_000);

afterAll(async () => {
  if (dev?.pid && dev.exitCode === null) {
    const exited = new Promise((r) => dev.once("exit", r));
    process.kill(-dev.pid, "SIGTERM");
    await exited;
  }
  rmSync(persistTo, { recursive: true, force: true });
});

describe("a request routed straight to the retraining worker by a real wrangler dev", () => {
  it("reaches the retrainer on the inner runtime's port", () => {
    expect(internal).toBeDefined();
  });

  it("is refused without a key, and the live model stays as it was", async () => {
    const res = await fetch(`${internal}/admin/models/rollback`, { method: "POST", headers: TO_RETRAINER });
    expect(res.status, await res.clone().text()).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('ApiKey realm="setlist"');

    // Through the edge with the operator's key: the version is there, and still not live.
    const models = await fetch(`${base}/admin/models`, { headers: { "x-api-key": DEV_KEYS.operator.key } });
    expect(models.status).toBe(200);
    const view = (await models.json()) as { current: unknown; versions: { version: string }[] };
    expect(view.versions.map((v) => v.version)).toContain(VERSION);
    expect(view.current).toBeNull();
  });
});
