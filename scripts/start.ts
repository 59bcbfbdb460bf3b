/**
 * `npm start`: the whole network on one local Workers runtime. Applies the D1 migrations, starts the
 * edge and the retraining worker together (one persistence folder, so they share D1, KV and queues),
 * builds the operator dashboard, seeds the demo data into an empty database and waits until the first model is published. The
 * documented development API keys are stored in the local database only; nothing here touches a
 * deployed one.
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, parseEnv } from "node:util";
import { DEFAULT_PORT, DEV_KEYS, localUrl } from "./dev-credentials";
import { buildDashboard } from "./dashboard-assets";
import { DEFAULT_PERSIST_TO, storeKeys } from "./keys";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: DEFAULT_PORT },
    "persist-to": { type: "string", default: DEFAULT_PERSIST_TO },
    "no-seed": { type: "boolean", default: false },
    /** The runtime's DevTools port (the isolates' heaps, for the bench); wrangler's default when absent. */
    "inspector-port": { type: "string" },
    /** V8 flags for the runtime (the bench's trace of collections, scripts/gc-trace.ts), e.g. --v8-flags=--trace-gc. */
    "v8-flags": { type: "string" },
  },
});
const base = localUrl(args.port);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "" };
const wrangler = resolve(root, "node_modules/.bin/wrangler");

const asOperator = { headers: { "x-api-key": DEV_KEYS.operator.key } };

// A checkout without .dev.vars gets the example; one from before a variable was added gets that variable.
const example = resolve(root, ".dev.vars.example");
for (const dir of [root, resolve(root, "workers/retrainer")]) {
  const devVars = resolve(dir, ".dev.vars");
  if (!existsSync(devVars)) copyFileSync(example, devVars);
  const present = parseEnv(readFileSync(devVars, "utf8"));
  const missing = Object.entries(parseEnv(readFileSync(example, "utf8"))).filter(([name]) => !(name in present));
  if (missing.length > 0)
    appendFileSync(devVars, `\n${missing.map(([name, value]) => `${name}=${value}`).join("\n")}\n`);
}

// The dashboard is built from its sources on every start, so the page served is the checkout's.
await buildDashboard();

const migrate = spawnSync(
  wrangler,
  ["d1", "migrations", "apply", "DB", "--local", "--persist-to", args["persist-to"], "-c", "wrangler.toml"],
  { cwd: root, env, stdio: "inherit" },
);
if (migrate.status !== 0) process.exit(migrate.status ?? 1);
await storeKeys({ persistTo: args["persist-to"] }, Object.values(DEV_KEYS));

const dev = spawn(
  wrangler,
  [
    "dev",
    "-c",
    "wrangler.toml",
    "-c",
    "workers/retrainer/wrangler.toml",
    "--persist-to",
    args["persist-to"],
    "--ip",
    "127.0.0.1",
    "--port",
    args.port,
    "--show-interactive-dev-session=false",
    ...(args["inspector-port"] ? ["--inspector-port", args["inspector-port"]] : []),
  ],
  {
    cwd: root,
    // The runtime's alone: what V8 prints would garble the answers of wrangler's other commands above.
    env: args["v8-flags"] ? { ...env, MINIFLARE_WORKERD_V8_FLAGS: args["v8-flags"] } : env,
    stdio: ["ignore", "inherit", "inherit"],
  },
);
const stop = () => dev.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
dev.on("exit", (code) => process.exit(code ?? 0));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

try {
  await waitFor("the edge worker", async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 120_000);
  // A retrain the previous runtime was running does not carry on after a restart here (its Workflow instance
  // stays `running` with nothing running it): cancel it, which marks it failed, and retrain again.
  const { versions } = (await (await fetch(`${base}/admin/models`, asOperator)).json()) as {
    versions: { version: string; status: string; step: string | null }[];
  };
  const interrupted = versions.filter((v) => v.status === "building");
  for (const { version } of interrupted) {
    await fetch(`${base}/admin/models/${version}/cancel`, { method: "POST", ...asOperator });
  }
  if (interrupted.length > 0) {
    const { version } = (await (await fetch(`${base}/admin/retrain`, { method: "POST", ...asOperator })).json()) as {
      version: string;
    };
    console.log(
      `[setlist] retrain ${interrupted.map((v) => `${v.version} (at step "${v.step ?? "none"}")`).join(", ")} ` +
        `was interrupted by the restart; cancelled, retraining as ${version}`,
    );
  }
  if (!args["no-seed"]) {
    const seed = (await (await fetch(`${base}/admin/seed`, { method: "POST", ...asOperator })).json()) as {
      seeded: boolean;
      tracks: number;
      listeners: number;
      events: number;
    };
    console.log(
      `[setlist] ${seed.seeded ? "seeded" : "found"} ${seed.tracks} tracks, ${seed.listeners} listeners, ${seed.events} events`,
    );
    const current = await waitFor(
      "the first model",
      async () => {
        const models = (await (await fetch(`${base}/admin/models`, asOperator)).json()) as {
          current: { version: string } | null;
        };
        return models.current ?? undefined;
      },
      300_000,
    );
    console.log(`[setlist] serving model ${current.version}`);
  }
  console.log(
    `[setlist] ready on ${base}  (try: curl ${base}/v1/me/recommendations ` +
      `-H "x-api-key: dev-client-key" -H "authorization: Bearer $(npm run -s token -- demo-1)")`,
  );
} catch (error) {
  console.error(`[setlist] start-up failed: ${String(error)}`);
  stop();
  process.exitCode = 1;
}
