import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import type { LegacyWorkerOptions } from "miniflare";
import { defineConfig } from "vitest/config";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import ProcessFirstSequencer from "./test/process-first-sequencer";

const migrations = await readD1Migrations("./migrations");
/** Tests use their own listener key; the development key lives in .dev.vars, which a fresh clone lacks. */
const testSecrets = {
  LISTENER_ID_KEY: "test-listener-key",
  LISTENER_TOKEN_SECRET: "test-listener-token-secret-at-least-32-bytes",
};

/**
 * The edge's tests run with the real retraining worker beside it (service binding, shared D1 and KV,
 * the events queue consumed by it). An auxiliary worker must be pre-built, so it is bundled here the
 * way `wrangler deploy` bundles it, which also proves the retrainer deploys.
 */
function builtRetrainer(): LegacyWorkerOptions {
  // Absolute: Wrangler would put a relative one beside the worker's config, and the listing below would miss it.
  const outdir = resolve(".wrangler/test-build/retrainer");
  const build = spawnSync(
    "node_modules/.bin/wrangler",
    ["deploy", "--dry-run", "--outdir", outdir, "-c", "workers/retrainer/wrangler.toml"],
    { env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, encoding: "utf8" },
  );
  if (build.status !== 0) throw new Error(`building the retrainer failed:\n${build.stdout}\n${build.stderr}`);
  // Source options (main, module rules) are replaced by the built bundle: its script and the kernels beside it.
  const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions(
    "workers/retrainer/wrangler.toml",
  ).workerOptions;
  return {
    ...workerOptions,
    name: "setlist-retrainer",
    modulesRoot: outdir,
    modules: [
      { type: "ESModule", path: `${outdir}/index.js` },
      ...readdirSync(outdir)
        .filter((file) => file.endsWith(".wasm"))
        .map((file) => ({ type: "CompiledWasm" as const, path: `${outdir}/${file}` })),
    ],
    bindings: { ...(workerOptions.bindings ?? {}), ...testSecrets },
  };
}

interface WorkerProjectOptions {
  include: string[];
  exclude?: string[];
  auxiliaryWorkers?: LegacyWorkerOptions[];
  ratelimits?: LegacyWorkerOptions["ratelimits"];
  bindings?: Record<string, string>;
}

function workerProject(name: string, configPath: string, options: WorkerProjectOptions) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath },
        // Tests read a new model version as soon as it is published, not after the pointer's cache time,
        // and each experiment answer's serving time reaches D1 with the answer.
        miniflare: {
          bindings: {
            ...testSecrets,
            MODEL_POINTER_TTL_MS: "0",
            EXPERIMENT_LATENCY_FLUSH_MS: "0",
            TEST_MIGRATIONS: migrations,
            ...options.bindings,
          },
          workers: options.auxiliaryWorkers ?? [],
          ...(options.ratelimits ? { ratelimits: options.ratelimits } : {}),
        },
      }),
    ],
    test: {
      name,
      include: options.include,
      exclude: options.exclude ?? [],
      setupFiles: ["./test/apply-migrations.ts"],
      testTimeout: 60_000,
    },
  };
}

const retrainer = builtRetrainer();

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    // The slow tests mostly wait on queues, retries and training jobs, so more files than cores run at once.
    maxWorkers: 4,
    sequence: { sequencer: ProcessFirstSequencer },
    projects: [
      {
        test: {
          name: "unit",
          include: ["shared/**/*.test.ts", "scripts/**/*.test.ts", "test/*.test.ts"],
          environment: "node",
          setupFiles: ["./shared/kernels/node.ts"],
        },
      },
      // A real `wrangler dev` network driven from outside: killed and restarted, scanned, reached past the edge.
      {
        test: { name: "process", include: ["test/process/*.test.ts"], environment: "node", testTimeout: 150_000 },
      },
      workerProject("edge", "./wrangler.toml", {
        include: ["test/edge/**/*.test.ts"],
        exclude: ["test/edge/rate-limit.test.ts"],
        auxiliaryWorkers: [retrainer],
        // The files share one client address (requests from tests carry none) and the fuzzer sends
        // thousands of made-up keys; the lookup budget is checked in edge-limits, not here.
        ratelimits: { KEY_LOOKUP_RATE_LIMIT: { namespace_id: "1003", simple: { limit: 1_000_000, period: 60 } } },
      }),
      // Limits are checked with small budgets, so that exhausting one does not race the window under load.
      workerProject("edge-limits", "./wrangler.toml", {
        include: ["test/edge/rate-limit.test.ts"],
        auxiliaryWorkers: [retrainer],
        ratelimits: {
          API_KEY_RATE_LIMIT: { namespace_id: "1001", simple: { limit: 100, period: 10 } },
          LISTENER_RATE_LIMIT: { namespace_id: "1002", simple: { limit: 30, period: 60 } },
          KEY_LOOKUP_RATE_LIMIT: { namespace_id: "1003", simple: { limit: 200, period: 60 } },
        },
      }),
      workerProject("retrainer", "./workers/retrainer/wrangler.toml", {
        include: ["test/retrainer/**/*.test.ts"],
        // A retrain here still goes through trainer states stored in R2 between slices; nothing is served
        // beside it, so its steps need no pause.
        bindings: { TRAINING_SLICE_WORK: "400000", RETRAIN_STEP_PAUSE_MS: "0" },
      }),
    ],
  },
});
