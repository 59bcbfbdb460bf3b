/**
 * `npm run bench:retrain`: one retrain inside the local Workers runtime, timed, with the retraining
 * worker's memory read from its own V8 isolate through the runtime's inspector.
 *   npm run bench:retrain [-- --lastfm DIR] [--port N]
 * Without --lastfm it retrains on the demo data `npm start` seeds; with it, on the imported HetRec
 * Last.fm 2K data (17,632 artists, 92,834 plays). Prints the time until the version is trained and
 * staged, until it is published, and the isolate's peak heap. The runtime enforces no memory limit
 * locally, so garbage may wait longer for collection than it would near a 128 MB limit: the peak is an
 * upper bound on what the worker needed.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEV_KEYS } from "./dev-credentials";
import { startLocalNetwork } from "./local-network";
import { mb } from "./memory-peak";
import type { Job } from "../workers/retrainer/jobs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: { lastfm: { type: "string" }, port: { type: "string", default: "8798" } },
});
const RETRAINER_TARGET = "core:user:setlist-retrainer";
const asOperator = { headers: { "x-api-key": DEV_KEYS.operator.key } };

/** Ports the given processes listen on (Linux: their socket inodes matched against /proc/net/tcp). */
function listeningPorts(pids: number[]): number[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const link = (() => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return "";
        }
      })();
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode) inodes.add(inode);
    }
  }
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === "0A" && inodes.has(fields[9]!))
    .map((fields) => parseInt(fields[1]!.split(":")[1]!, 16));
}

function processesInGroup(group: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        // Field 5 of stat is the process group; the command name before it may hold spaces, hence the ")".
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === group;
      } catch {
        return false;
      }
    });
}

/** The retraining worker's inspector socket: the runtime serves one target per worker. */
async function retrainerInspector(group: number): Promise<string> {
  for (const port of listeningPorts(processesInGroup(group))) {
    const targets = (await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(1000) })
      .then((r) => (r.ok ? r.json() : []))
      .catch(() => [])) as { id?: string; webSocketDebuggerUrl?: string }[];
    const target = Array.isArray(targets) ? targets.find((t) => t.id === RETRAINER_TARGET) : undefined;
    if (target?.webSocketDebuggerUrl) return target.webSocketDebuggerUrl;
  }
  throw new Error("no inspector target for the retraining worker");
}

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
}

/**
 * Samples the isolate's heap every `everyMs` until stopped, keeping the peaks. Every `gcEvery`-th sample
 * first forces a full collection, so that sample is the live heap: what a 128 MB isolate must hold. The
 * isolate answers only when it awaits I/O, so samples bunch at a job's KV and D1 calls, not mid-step.
 */
async function sampleHeap(url: string, everyMs: number, gcEvery: number) {
  const peak = { used: 0, withBuffers: 0, live: 0, liveAt: 0, samples: 0, liveSamples: 0, connections: 0 };
  const started = performance.now();
  const afterCollection = new Set<number>();
  let id = 0,
    stopped = false,
    socket: WebSocket;
  const connect = () => {
    socket = new WebSocket(url);
    peak.connections++;
    socket.addEventListener("message", (event) => {
      const { id, result } = JSON.parse(String(event.data)) as { id?: number; result?: HeapUsage };
      if (!id || result?.usedSize === undefined) return;
      const withBuffers = result.usedSize + (result.backingStorageSize ?? 0);
      peak.samples++;
      peak.used = Math.max(peak.used, result.usedSize);
      peak.withBuffers = Math.max(peak.withBuffers, withBuffers);
      if (afterCollection.delete(id)) {
        peak.liveSamples++;
        if (withBuffers > peak.live) [peak.live, peak.liveAt] = [withBuffers, (performance.now() - started) / 1000];
      }
    });
    // The runtime may drop an inspector session (a worker reloaded); a new one picks up where it left.
    socket.addEventListener("close", () => !stopped && setTimeout(connect, everyMs));
  };
  connect();
  const timer = setInterval(() => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (id % gcEvery === 0) {
      socket.send(JSON.stringify({ id: ++id, method: "HeapProfiler.collectGarbage" }));
      afterCollection.add(id + 1);
    }
    socket.send(JSON.stringify({ id: ++id, method: "Runtime.getHeapUsage" }));
  }, everyMs);
  return {
    peak,
    stop() {
      stopped = true;
      clearInterval(timer);
      socket.close();
    },
  };
}

const network = await startLocalNetwork(Number(args.port), { seed: !args.lastfm });
try {
  if (args.lastfm) {
    const imported = spawnSync(
      resolve(root, "node_modules/.bin/tsx"),
      [resolve(root, "scripts/import.ts"), "--url", network.base, "--lastfm", args.lastfm],
      { cwd: root, stdio: "inherit" },
    );
    if (imported.status !== 0) throw new Error("the import failed");
  }
  const heap = await sampleHeap(await retrainerInspector(network.processGroup), 100, 10);
  const started = performance.now();
  const { version } = (await (
    await fetch(`${network.base}/admin/retrain`, { method: "POST", ...asOperator })
  ).json()) as { version: string };
  let trainedSeconds: number | undefined;
  let row: { status: string; partsTotal: number; metrics: { holdout?: Record<string, number> } | null };
  for (;;) {
    row = (await (await fetch(`${network.base}/admin/models/${version}`, asOperator)).json()) as typeof row;
    const seconds = (performance.now() - started) / 1000;
    if (row.partsTotal > 0) trainedSeconds ??= seconds;
    if (row.status !== "building") break;
    if (seconds > 1800) throw new Error(`version ${version} still building after 30 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const publishedSeconds = (performance.now() - started) / 1000;
  heap.stop();
  const holdout = row.metrics?.holdout;
  console.log(`data: ${args.lastfm ? `Last.fm from ${args.lastfm}` : "demo"}   version ${version}: ${row.status}`);
  console.log(
    `trained and staged: ${trainedSeconds?.toFixed(1)} s   published (${row.partsTotal} parts): ${publishedSeconds.toFixed(1)} s`,
  );
  if (holdout) {
    console.log(
      `holdout: NDCG@10 ${holdout.ndcg!.toFixed(4)}  Recall@10 ${holdout.recall!.toFixed(4)}  coverage@10 ${holdout.coverage!.toFixed(4)}`,
    );
  }
  const jobs = network
    .output()
    .split("\n")
    .flatMap((line) => {
      const logged = /\{"msg":"job done".*\}/.exec(line)?.[0];
      const entry = logged ? (JSON.parse(logged) as { job: Job; ms: number }) : undefined;
      return entry?.job.version === version ? [entry] : [];
    });
  console.log(
    `jobs: ${jobs
      .map(
        ({ job, ms }) =>
          `${job.kind === "train" ? `train ${job.stage ?? "holdout"}` : `publish ${job.part}`} ${(ms / 1000).toFixed(1)} s`,
      )
      .join(", ")}`,
  );
  console.log(
    `retrainer isolate: peak heap used ${mb(heap.peak.used)}, with array buffers ${mb(heap.peak.withBuffers)} ` +
      `(${heap.peak.samples} samples); live after a forced collection, at most ${mb(heap.peak.live)} ` +
      `at ${heap.peak.liveAt.toFixed(0)} s (${heap.peak.liveSamples} samples, asked for once a second, answered when the worker awaits I/O; ${heap.peak.connections} inspector sessions)`,
  );
} finally {
  await network.stop();
}
