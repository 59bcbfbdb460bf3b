/**
 * `npm run bench:artifacts`: how long the local runtime takes to read a published artefact from KV and from
 * R2 at the sizes the publisher writes (a catalog shard, a listener's candidates, the browse set, trainer
 * state), timed inside a worker so that only the read is measured. The figures decide, with the platform's
 * limits, which store each artefact lives in (README, "How a model version is published").
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { reads: { type: "string", default: "200" }, port: { type: "string", default: "8799" } },
});
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const SIZES = { "1 KB": 1 << 10, "11 KB": 11 << 10, "60 KB": 60 << 10, "1.3 MB": 1_300_000, "20 MB": 20 << 20 };

const script = `
export default {
  async fetch(request, env) {
    const { sizes, reads } = await request.json();
    const results = [];
    for (const [name, bytes] of Object.entries(sizes)) {
      const value = JSON.stringify("x".repeat(bytes - 2));
      await env.KV.put(name, value);
      await env.R2.put(name, value);
      const n = bytes > 5_000_000 ? Math.ceil(reads / 20) : reads;
      const time = async (read) => {
        // The runtime's clock moves in whole milliseconds: the mean is the total over many reads.
        const ms = [];
        const first = performance.now();
        for (let i = 0; i < n; i++) {
          const start = performance.now();
          await read();
          ms.push(performance.now() - start);
        }
        const mean = (performance.now() - first) / n;
        ms.sort((a, b) => a - b);
        return { mean, p99: ms[Math.min(n - 1, Math.floor(n * 0.99))] };
      };
      results.push({
        name,
        kv: await time(() => env.KV.get(name, "text")),
        kvJson: await time(() => env.KV.get(name, "json")),
        r2: await time(async () => (await env.R2.get(name)).text()),
      });
    }
    return Response.json(results);
  },
};`;

// A worker of its own on the same runtime `npm start` uses (wrangler dev), with a KV namespace and an R2 bucket.
const dir = mkdtempSync(join(tmpdir(), "setlist-reads-"));
writeFileSync(join(dir, "worker.js"), script);
writeFileSync(
  join(dir, "wrangler.json"),
  JSON.stringify({
    name: "artefact-reads",
    main: "worker.js",
    compatibility_date: "2025-11-01",
    kv_namespaces: [{ binding: "KV", id: "reads" }],
    r2_buckets: [{ binding: "R2", bucket_name: "reads" }],
  }),
);
const dev = spawn(
  resolve(root, "node_modules/.bin/wrangler"),
  ["dev", "-c", join(dir, "wrangler.json"), "--persist-to", join(dir, "state"), "--ip", "127.0.0.1"]
    .concat(["--port", args.port, "--inspector-port", String(Number(args.port) + 1)])
    .concat(["--show-interactive-dev-session=false"]),
  {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  },
);
try {
  await new Promise<void>((ready, fail) => {
    let output = "";
    dev.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready on")) ready();
    });
    dev.on("exit", (code) => fail(new Error(`wrangler dev exited with ${code}: ${output}`)));
  });
  const response = await fetch(`http://127.0.0.1:${args.port}/`, {
    method: "POST",
    body: JSON.stringify({ sizes: SIZES, reads: Number(args.reads) }),
  });
  const results = (await response.json()) as {
    name: string;
    kv: { mean: number; p99: number };
    kvJson: { mean: number; p99: number };
    r2: { mean: number; p99: number };
  }[];
  console.log(
    `\nartefact reads in the local runtime (wrangler dev), ${args.reads} reads a size (a tenth of that at 20 MB)\n`,
  );
  console.log("value     KV mean ms  KV p99 ms  KV+JSON mean  R2 mean ms  R2 p99 ms");
  for (const r of results) {
    console.log(
      `${r.name.padEnd(9)} ${r.kv.mean.toFixed(2).padStart(11)} ${r.kv.p99.toFixed(0).padStart(10)} ${r.kvJson.mean.toFixed(2).padStart(13)} ${r.r2.mean.toFixed(2).padStart(11)} ${r.r2.p99.toFixed(0).padStart(10)}`,
    );
  }
} finally {
  process.kill(-dev.pid!, "SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
