/**
 * `npm run bench:retrain`: one retrain Workflow inside the local Workers runtime, timed step by step, with
 * the retraining worker's memory read from its own V8 isolate through the runtime's inspector, and the
 * recommendation route's latency measured while it trains against the same route idle.
 *   npm run bench:retrain [-- --lastfm DIR] [--tsv FILE] [--spotify FILE] [--synthetic-listening N] [--port N] [--probe-seconds N]
 *   npm run bench:retrain -- --synthetic [--listeners N] [--items N] [--interactions N] [--seed N]
 * Without --lastfm it retrains on the demo data `npm start` seeds; with it, on the imported HetRec
 * Last.fm 2K data (17,632 artists, 92,834 plays); --tsv imports listening for tracks in the catalog on
 * top (as `npm run import -- --tsv` does), --spotify a Spotify-features catalog and
 * --synthetic-listening N synthetic plays through the bulk path, each on top of the demo seed. Prints the
 * network's start-up and each import's time, the wall time until the version is trained and until it is
 * published, each step's time and KV and R2 operations (slices grouped by stage), the isolate's heap
 * between steps (see sampleHeap) and within them (see stepMemorySummary), and the recommendation route's
 * p50/p99 idle and during the retrain (see probeLatency). With --spotify (the operator's path at size:
 * `npm run -s data:spotify -- 1000000` makes the file) it then asks the edge about the file's first track,
 * which only the import brought: the track, its similar tracks and a radio station from it (see
 * importedTrackAnswers).
 * With --synthetic it asks the retrainer for a synthetic training run (by default 100,000 listeners x
 * 50,000 items x 5,000,000 plays), and prints its time, its steps, its held-out figures against
 * popularity, and the same heap readings.
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SpotifyFeaturesReader } from "../shared/import/spotify";
import { signListenerToken } from "../workers/edge/auth/listener-token";
import type { SyntheticRun } from "../workers/retrainer/synthetic";
import type { OperationCounts } from "../workers/retrainer/retrain/binding-meter";
import { DEV_KEYS, listenerTokenConfig } from "./dev-credentials";
import { loadKeys, storeKeys } from "./keys";
import { startLocalNetwork } from "./local-network";
import { inspectedIsolates, memoryByStep, tracedCollections, type StepMemory } from "./gc-trace";
import { mb } from "./memory-peak";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    lastfm: { type: "string" },
    tsv: { type: "string" },
    spotify: { type: "string" },
    /** N synthetic plays bulk-written into D1 on top of the demo seed (`npm run import -- --synthetic-listening N`). */
    "synthetic-listening": { type: "string" },
    synthetic: { type: "boolean", default: false },
    listeners: { type: "string", default: "100000" },
    items: { type: "string", default: "50000" },
    interactions: { type: "string", default: "5000000" },
    seed: { type: "string", default: "1" },
    port: { type: "string", default: "8798" },
    "probe-seconds": { type: "string", default: "10" },
  },
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
 * first forces a full collection. The runtime answers the inspector only between steps, never while one
 * runs (not even while it awaits KV), so these are readings between steps, not a step's own peak; and array
 * buffers a collection freed still count until the runtime releases them (a heap snapshot at one such point
 * counted 40 MB reachable where this read 134 MB). Inside a step, V8's trace of the isolate's collections
 * tells (stepMemorySummary).
 */
async function sampleHeap(url: string, everyMs: number, gcEvery: number) {
  const peak = { idle: 0, used: 0, withBuffers: 0, live: 0, liveAt: 0, samples: 0, liveSamples: 0, connections: 0 };
  const started = performance.now();
  const afterCollection = new Set<number>();
  let idleRead = () => {};
  const idle = new Promise<void>((resolve) => (idleRead = resolve));
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
        if (peak.liveSamples++ === 0) [peak.idle] = [withBuffers, idleRead()];
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
    /** Resolves with the first reading after a collection, taken before anything is asked of the worker. */
    idle,
    stop() {
      stopped = true;
      clearInterval(timer);
      socket.close();
    },
  };
}

interface LoggedStep {
  step: string;
  ms: number;
  /** Its KV and R2 calls by method (retrain/binding-meter.ts); none for steps outside the Workflow. */
  operations: OperationCounts;
  /** The line of the network's output it was logged on, as it ended. */
  line: number;
}

/** The steps run `run` logged (retrain/timed-step.ts), in order. */
function loggedSteps(lines: readonly string[], run: string): LoggedStep[] {
  return lines.flatMap((text, line) => {
    const logged = /\{"msg":"workflow step".*\}/.exec(text)?.[0];
    const entry = logged ? (JSON.parse(logged) as LoggedStep & { run: string }) : undefined;
    return entry?.run === run ? [{ step: entry.step, ms: entry.ms, operations: entry.operations ?? {}, line }] : [];
  });
}

const lineCount = (output: string) => output.split("\n").length;

/**
 * The retraining worker's memory inside its steps, from V8's trace of its collections (see gc-trace.ts):
 * the most a step of the run that began on line `from` held live after a whole-heap collection, and reached
 * before one, garbage included.
 */
function stepMemorySummary(lines: readonly string[], from: number, steps: readonly LoggedStep[]): string {
  const collections = tracedCollections(lines);
  const memory = memoryByStep(collections, inspectedIsolates(collections), from, steps);
  if (memory.length === 0) return "retrainer isolate within steps: no collections traced";
  const most = (of: (m: StepMemory) => number) => memory.reduce((a, b) => (of(b) > of(a) ? b : a));
  const live = most((m) => m.live);
  const reached = most((m) => m.reached);
  const traced = memory.reduce((sum, m) => sum + m.collections, 0);
  return (
    `retrainer isolate within steps (V8's trace of its ${traced} collections in ${memory.length} steps, array buffers ` +
    `included): at most ${mb(live.live)} live after a whole-heap collection (in "${live.step}"); at most ` +
    `${mb(reached.reached)} reached before a collection, garbage included (in "${reached.step}")`
  );
}

/** Operations summed over steps, each with the most one step made: "kv.put 300 (at most 100 a step)". */
function operationSummary(steps: readonly LoggedStep[]): string {
  const totals = new Map<string, { sum: number; most: number }>();
  for (const { operations } of steps)
    for (const [operation, n] of Object.entries(operations)) {
      const total = totals.get(operation) ?? { sum: 0, most: 0 };
      totals.set(operation, { sum: total.sum + n, most: Math.max(total.most, n) });
    }
  return [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, { sum, most }]) => `${operation} ${sum}${steps.length > 1 ? ` (at most ${most} a step)` : ""}`)
    .join(", ");
}

/** Steps by what they do: the slices of a stage, the parts, the pruning of a version each one line, with their operations. */
function stepSummary(steps: readonly LoggedStep[]): string[] {
  const groups = new Map<string, LoggedStep[]>();
  for (const logged of steps) {
    const group = logged.step.replace(/ (slice|part|keys) \d+$/, (_, what: string) => ` (${what}s)`);
    groups.set(group, [...(groups.get(group) ?? []), logged]);
  }
  return [...groups].map(([group, members]) => {
    const ms = members.map((m) => m.ms);
    const total = ms.reduce((a, b) => a + b, 0) / 1000;
    const operations = operationSummary(members);
    const time =
      ms.length === 1
        ? `${group}: ${total.toFixed(1)} s`
        : `${group}: ${ms.length} steps, ${total.toFixed(1)} s, longest ${(Math.max(...ms) / 1000).toFixed(1)} s`;
    return operations ? `${time}; ${operations}` : time;
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** The bench's app keys (stored once the network is up), taken in turn so the probe stays below a key's rate limit. */
const BENCH_CLIENTS = loadKeys("bench-retrain", "client", 10);
const benchClient = (n = 0) => BENCH_CLIENTS[n % BENCH_CLIENTS.length]!.key;

/**
 * The recommendation route's latency, two requests at a time from listeners drawn in turn, until `until`
 * resolves: what a listener sees of the runtime the retrain shares (one local process runs both workers).
 * The percentiles are of the answers that succeeded; the others are counted by status apart.
 */
async function probeLatency(base: string, rawIds: string[], until: Promise<unknown>) {
  const tokenConfig = await listenerTokenConfig();
  const tokens = await Promise.all(rawIds.map((id) => signListenerToken(tokenConfig, id, 7200)));
  let done = false;
  void until.finally(() => (done = true));
  /** Each request: when it was sent (performance.now()), how long it took, and its status. */
  const samples: { at: number; ms: number; status: string }[] = [];
  let next = 0;
  const worker = async () => {
    while (!done) {
      const n = next++;
      const at = performance.now();
      const answer = await fetch(`${base}/v1/me/recommendations?limit=20`, {
        headers: { "x-api-key": benchClient(n), authorization: `Bearer ${tokens[n % tokens.length]}` },
      }).catch(() => undefined);
      await answer?.arrayBuffer();
      samples.push({ at, ms: performance.now() - at, status: answer ? String(answer.status) : "no answer" });
    }
  };
  await Promise.all([worker(), worker()]);
  const sorted = samples
    .filter((s) => s.status === "200")
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  const failures = new Map<string, number>();
  for (const { status } of samples) if (status !== "200") failures.set(status, (failures.get(status) ?? 0) + 1);
  return {
    requests: sorted.length,
    failures,
    slowest: [...samples].sort((a, b) => b.ms - a.ms).slice(0, 5),
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
  };
}

/** Non-200 answers by status: "none", or "503 x3, no answer x1". */
const failureSummary = (failures: Map<string, number>) =>
  failures.size === 0 ? "none" : [...failures].map(([status, n]) => `${status} x${n}`).join(", ");

/** Polls `url` until `done` says so, giving up after 30 minutes. */
async function pollUntil<T>(url: string, done: (body: T, seconds: number) => boolean, started: number): Promise<T> {
  for (;;) {
    const body = (await (await fetch(url, asOperator)).json()) as T;
    const seconds = (performance.now() - started) / 1000;
    if (done(body, seconds)) return body;
    if (seconds > 1800) throw new Error(`${url} still not done after 30 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One retrain, timed; with `probeAs`, the recommendation route measured idle before it and during it. */
async function retrain(base: string, output: () => string, probeAs?: string[]): Promise<string> {
  const seconds = Number(args["probe-seconds"]);
  const idle = probeAs && (await probeLatency(base, probeAs, new Promise((r) => setTimeout(r, seconds * 1000))));
  const started = performance.now();
  const from = lineCount(output());
  const answer = await fetch(`${base}/admin/retrain`, { method: "POST", ...asOperator });
  if (answer.status !== 202) throw new Error(`retrain refused: ${await answer.text()}`);
  const { version } = (await answer.json()) as { version: string };
  let trainedSeconds: number | undefined;
  type VersionRow = {
    status: string;
    step: string | null;
    failure: string | null;
    partsTotal: number;
    metrics: { holdout?: Record<string, number> } | null;
  };
  /** The step the version row named at each poll, to say what ran while a request was slow. */
  const stepsSeen: { at: number; step: string | null }[] = [];
  const finished = pollUntil<VersionRow>(
    `${base}/admin/models/${version}`,
    (row, seconds) => {
      stepsSeen.push({ at: performance.now(), step: row.step });
      if (row.step?.startsWith("publish")) trainedSeconds ??= seconds;
      return row.status !== "building";
    },
    started,
  );
  const during = probeAs && (await probeLatency(base, probeAs, finished));
  const row = await finished;
  const publishedSeconds = (performance.now() - started) / 1000;
  const holdout = row.metrics?.holdout;
  const data = [
    args.lastfm ? `Last.fm from ${args.lastfm}` : "demo",
    ...(args.tsv ? [`plays from ${args.tsv}`] : []),
    ...(args.spotify ? [`tracks from ${args.spotify}`] : []),
  ];
  console.log(`data: ${data.join(" + ")}   version ${version}: ${row.status}${row.failure ? ` (${row.failure})` : ""}`);
  console.log(
    `wall time: trained ${trainedSeconds?.toFixed(1)} s, published (${row.partsTotal} parts) ${publishedSeconds.toFixed(1)} s`,
  );
  if (holdout) {
    console.log(
      `holdout: NDCG@10 ${holdout.ndcg!.toFixed(4)}  Recall@10 ${holdout.recall!.toFixed(4)}  coverage@10 ${holdout.coverage!.toFixed(4)}`,
    );
  }
  const lines = output().split("\n");
  const steps = loggedSteps(lines, version);
  console.log(`steps (${steps.length}), each one's time inside the runtime:`);
  for (const line of stepSummary(steps)) console.log(`  ${line}`);
  console.log(`storage operations of the whole run: ${operationSummary(steps) || "none logged"}`);
  console.log(stepMemorySummary(lines, from, steps));
  const longest = [...steps].sort((a, b) => b.ms - a.ms).slice(0, 5);
  console.log(`longest steps: ${longest.map((s) => `${s.step} ${(s.ms / 1000).toFixed(2)} s`).join(", ")}`);
  if (!idle || !during) return version;
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log(
    `GET /v1/me/recommendations, 2 at a time: idle ${idle.requests} requests p50 ${ms(idle.p50)} p99 ${ms(idle.p99)}; ` +
      `during the retrain ${during.requests} requests p50 ${ms(during.p50)} p99 ${ms(during.p99)} ` +
      `(${(during.p99 / idle.p99).toFixed(2)}x idle p99; failures ${failureSummary(idle.failures)} idle, ` +
      `${failureSummary(during.failures)} during)`,
  );
  const stepAt = (at: number) => stepsSeen.findLast((seen) => seen.at <= at)?.step ?? "before the first step";
  console.log(
    `slowest during the retrain: ${during.slowest
      .map((s) => `${ms(s.ms)} (${s.status}) sent ${((s.at - started) / 1000).toFixed(1)} s in, in ${stepAt(s.at)}`)
      .join("; ")}`,
  );
  return version;
}

/** Which version the edge answers a listener's recommendations from, once the pointer's hold has run out. */
async function servedVersion(base: string, rawId: string, expected: string): Promise<string | null> {
  const token = await signListenerToken(await listenerTokenConfig(), rawId, 600);
  const deadline = performance.now() + 120_000;
  for (;;) {
    const answer = await fetch(`${base}/v1/me/recommendations?limit=20`, {
      headers: { "x-api-key": benchClient(), authorization: `Bearer ${token}` },
    });
    const { modelVersion } = (await answer.json()) as { modelVersion: string | null };
    if (modelVersion === expected || performance.now() > deadline) return modelVersion;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The id of the first track of a Spotify-features CSV (read from its first 64 KB). */
function firstSpotifyTrack(file: string): string {
  const head = Buffer.alloc(1 << 16);
  const fd = openSync(file, "r");
  const read = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const [first] = new SpotifyFeaturesReader().push(head.subarray(0, read).toString("utf8")).rows;
  if (!first) throw new Error(`no track in the first 64 KB of ${file}`);
  return first.track.id;
}

/**
 * What the edge answers about a track only the import brought (nobody has played it, so no model trained
 * on it): the track, its similar tracks and a radio station grown from it, each with its status and time.
 */
async function importedTrackAnswers(base: string, rawId: string, trackId: string): Promise<void> {
  const token = await signListenerToken(await listenerTokenConfig(), rawId, 600);
  const headers = { "x-api-key": benchClient(), authorization: `Bearer ${token}` };
  const asks: [string, string, (body: Record<string, unknown>) => string][] = [
    ["track", `/v1/tracks/${trackId}`, (b) => `${String(b.title)}, ${String(b.genre)}`],
    [
      "similar tracks",
      `/v1/tracks/${trackId}/similar?limit=10`,
      (b) => `${(b.items as unknown[]).length} from ${String(b.source)}`,
    ],
    ["radio", `/v1/me/radio?seed=track:${trackId}&limit=20`, (b) => `${(b.tracks as unknown[]).length} tracks`],
  ];
  for (const [what, path, summary] of asks) {
    const started = performance.now();
    const answer = await fetch(`${base}${path}`, { headers });
    const body = (await answer.json()) as Record<string, unknown>;
    const ms = (performance.now() - started).toFixed(0);
    console.log(`  ${what} (GET ${path}): ${answer.status} in ${ms} ms${answer.ok ? `, ${summary(body)}` : ""}`);
  }
}

async function syntheticTraining(base: string, output: () => string): Promise<void> {
  const size = {
    listeners: Number(args.listeners),
    items: Number(args.items),
    interactions: Number(args.interactions),
    seed: Number(args.seed),
  };
  const started = performance.now();
  const from = lineCount(output());
  const response = await fetch(`${base}/admin/synthetic-training`, {
    method: "POST",
    headers: { ...asOperator.headers, "content-type": "application/json" },
    body: JSON.stringify(size),
  });
  if (response.status !== 202) throw new Error(`synthetic training refused: ${await response.text()}`);
  const { run } = (await response.json()) as SyntheticRun;
  const record = await pollUntil<SyntheticRun>(
    `${base}/admin/synthetic-training/${run}`,
    (r) => r.status === "trained",
    started,
  );
  const seconds = (performance.now() - started) / 1000;
  const lines = output().split("\n");
  const steps = loggedSteps(lines, run);
  console.log(
    `data: synthetic, ${size.listeners} listeners x ${size.items} items, ${size.interactions} plays drawn (seed ${size.seed})   run ${run}: ${record.status}`,
  );
  console.log(
    `trained in the retraining worker: ${seconds.toFixed(1)} s from request to result, over ${steps.length} steps`,
  );
  for (const line of stepSummary(steps)) console.log(`  ${line}`);
  console.log(stepMemorySummary(lines, from, steps));
  for (const [name, report] of Object.entries(record.evaluation!)) {
    console.log(
      `${name.padEnd(10)} on ${report.listeners} held-out listeners: NDCG@10 ${report.ndcg.toFixed(4)}  Recall@10 ${report.recall.toFixed(4)}  ` +
        `HitRate@10 ${report.hitRate.toFixed(4)}  coverage@10 ${report.coverage.toFixed(4)}`,
    );
  }
}

const starting = performance.now();
const network = await startLocalNetwork(Number(args.port), {
  seed: !args.lastfm && !args.synthetic,
  inspectorPort: Number(args.port) + 1,
  v8Flags: "--trace-gc --trace-gc-verbose",
});
console.log(
  `network started (migrations, seed, its first model live): ${((performance.now() - starting) / 1000).toFixed(1)} s`,
);
try {
  const imports = [
    ...(args.lastfm ? [["--lastfm", args.lastfm]] : []),
    ...(args.tsv ? [["--tsv", args.tsv]] : []),
    ...(args.spotify ? [["--spotify", args.spotify]] : []),
    ...(args["synthetic-listening"] ? [["--synthetic-listening", args["synthetic-listening"]]] : []),
  ];
  for (const source of imports) {
    const importing = performance.now();
    const imported = spawnSync(
      resolve(root, "node_modules/.bin/tsx"),
      [resolve(root, "scripts/import.ts"), "--url", network.base, ...source],
      { cwd: root, stdio: "inherit" },
    );
    if (imported.status !== 0) throw new Error("the import failed");
    console.log(`import ${source.join(" ")}: ${((performance.now() - importing) / 1000).toFixed(1)} s`);
  }
  await storeKeys({ persistTo: network.persistTo }, BENCH_CLIENTS);
  // The listeners the import or the seed created, by their raw ids (Last.fm users are 2..2100, some missing).
  const rawIds = args.lastfm
    ? Array.from({ length: 2099 }, (_, i) => `lfm-u${i + 2}`)
    : Array.from({ length: 500 }, (_, i) => `demo-${i + 1}`);
  const heap = await sampleHeap(await retrainerInspector(network.processGroup), 100, 10);
  await heap.idle;
  if (args.synthetic) await syntheticTraining(network.base, network.output);
  else if (args.spotify || args["synthetic-listening"]) {
    // The seed's model is live: one retrain, measured against serving it, then the edge asked which it serves.
    const version = await retrain(network.base, network.output, rawIds);
    console.log(`the edge serves ${rawIds[0]} from ${await servedVersion(network.base, rawIds[0]!, version)}`);
    if (args.spotify) {
      const track = firstSpotifyTrack(args.spotify);
      console.log(`the edge on ${track}, a track of the import only:`);
      await importedTrackAnswers(network.base, rawIds[0]!, track);
    }
  } else {
    // The first retrain puts a model live (after an import none is), so the second is measured against serving it.
    console.log("first retrain:");
    await retrain(network.base, network.output);
    console.log("\nsecond retrain, with the recommendation route measured idle and during it:");
    await retrain(network.base, network.output, rawIds);
  }
  heap.stop();
  console.log(
    `retrainer isolate, read between steps: ${mb(heap.peak.idle)} idle before the run; after a forced collection at most ` +
      `${mb(heap.peak.live)} (at ${heap.peak.liveAt.toFixed(0)} s), JavaScript heap used at most ${mb(heap.peak.used)} ` +
      `(${heap.peak.liveSamples} readings after a collection, ${heap.peak.samples} in all; ${heap.peak.connections} inspector sessions)`,
  );
} finally {
  await network.stop();
}
