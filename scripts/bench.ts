/**
 * `npm run bench`: starts the network locally and, in one run, loads the recommendation route, the
 * speaker route and a trivial route on the same runtime with autocannon. Local figures are CPU and
 * regression signals, so each route is reported against the trivial one measured alongside it.
 * `-- --catalog N` then does the same on a second network serving a synthetic catalog of N tracks
 * (scripts/bench-catalog.ts) and sets the recommendation route's figures beside the demo catalog's;
 * `--catalog-dir DIR` keeps that network's storage in DIR, so a later run with the same DIR skips what is
 * already there (the tracks in D1; the whole publication when the publishing code is unchanged).
 * `--profile DIR` writes a CPU profile of the edge isolate under each route's load into DIR
 * (`<catalog>-<route>.cpuprofile`, for DevTools or speedscope).
 */
import autocannon from "autocannon";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateDemoCatalog } from "../shared/demo";
import { signListenerToken } from "../workers/edge/auth/listener-token";
import { publishSyntheticCatalog } from "./bench-catalog";
import { listenerTokenConfig } from "./dev-credentials";
import { isolateHeap, profileIsolate } from "./isolate-heap";
import { loadKeys, storeKeys } from "./keys";
import { startLocalNetwork, type LocalNetwork } from "./local-network";
import { mb } from "./memory-peak";
import { processGroupCpuSeconds } from "./process-cpu";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    port: { type: "string", default: "8797" },
    listeners: { type: "string", default: "500" },
    catalog: { type: "string" },
    "catalog-dir": { type: "string" },
    profile: { type: "string" },
  },
});
const listenerCount = Number(args.listeners);
/** Enough app keys to stay below each one's rate limit at this machine's rates (see loadKeys). */
const BENCH_KEYS = 20;

interface RouteResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of the network's processes per request answered, in ms; null where it cannot be read. */
  cpuMs: number | null;
}

/** Loads each route in turn on `network` as `rawListeners`, and reads the edge isolate's heap after. */
async function benchRoutes(
  catalog: string,
  network: LocalNetwork,
  inspectorPort: number,
  rawListeners: string[],
  trackIds: string[],
) {
  const clientKeys = loadKeys("bench", "client", BENCH_KEYS),
    speakerKeys = loadKeys("bench", "speaker", BENCH_KEYS);
  await storeKeys({ persistTo: network.persistTo }, [...clientKeys, ...speakerKeys]);
  const tokenConfig = await listenerTokenConfig();
  const tokens = await Promise.all(rawListeners.map((id) => signListenerToken(tokenConfig, id, 3600)));
  const asListener = (i: number, appKeys: { key: string }[]) => ({
    "x-api-key": appKeys[i % BENCH_KEYS]!.key,
    authorization: `Bearer ${tokens[i % tokens.length]}`,
  });
  const routes: [name: string, request: (i: number) => { path: string; headers?: Record<string, string> }][] = [
    ["trivial (/health)", () => ({ path: "/health" })],
    [
      "recommendations",
      (i) => ({
        path: "/v1/me/recommendations?limit=20",
        headers: asListener(i, clientKeys),
      }),
    ],
    // A stated activity also retrieves from the browse set's tracks for it (shared/ranking/context-retrieval.ts).
    [
      "recommendations, workout",
      (i) => ({ path: "/v1/me/recommendations?limit=20&activity=workout", headers: asListener(i, clientKeys) }),
    ],
    ["speaker next", (i) => ({ path: "/v1/speaker/next", headers: asListener(i, speakerKeys) })],
    [
      "similar tracks",
      (i) => ({
        // Visited out of order, so reads spread over the neighbour-list shards.
        path: `/v1/tracks/${trackIds[(i * 7919) % trackIds.length]}/similar?limit=20`,
        headers: asListener(i, clientKeys),
      }),
    ],
  ];
  // One recommendation request per listener first, so every listener's session object exists and the
  // measured runs compare serving, not first visits (the demo's were made by its seeding).
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(args.connections) }, async () => {
      for (let i = next++; i < tokens.length; i = next++) {
        await (
          await fetch(`${network.base}/v1/me/recommendations?limit=20`, { headers: asListener(i, clientKeys) })
        ).text();
      }
    }),
  );
  const results: RouteResult[] = [];
  for (const [name, request] of routes) {
    let i = 0;
    // A second into the route's load (see startCpuProfile).
    const profiling = args.profile ? await profileIsolate(inspectorPort, 500, 1000) : null;
    const cpuBefore = processGroupCpuSeconds(network.processGroup);
    const result = await autocannon({
      url: network.base,
      duration: Number(args.duration),
      connections: Number(args.connections),
      requests: [
        {
          setupRequest: (req) => {
            const { path, headers } = request(i++);
            return { ...req, path, headers: { ...req.headers, ...headers } };
          },
        },
      ],
    });
    const cpuAfter = processGroupCpuSeconds(network.processGroup);
    if (profiling) {
      mkdirSync(args.profile!, { recursive: true });
      const file = `${catalog}-${name.replace(/[^a-z0-9]+/gi, "-").replace(/-$/, "")}.cpuprofile`;
      writeFileSync(join(args.profile!, file), JSON.stringify(await profiling()));
    }
    results.push({
      name,
      cpuMs:
        cpuBefore === null || cpuAfter === null
          ? null
          : (1000 * (cpuAfter - cpuBefore)) / Math.max(1, result.requests.total),
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
    });
  }
  const heap = await isolateHeap(inspectorPort).catch((error: unknown) => String(error));
  return { results, heap };
}

function printRoutes(title: string, { results, heap }: Awaited<ReturnType<typeof benchRoutes>>) {
  const trivial = results[0]!;
  console.log(`\n${title}: ${args.connections} connections, ${args.duration} s per route, local workerd\n`);
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(
    `${"route".padEnd(width)}   req/s     p50 ms   p99 ms   errors   req/s vs trivial   p99 vs trivial   CPU ms/req   CPU vs trivial`,
  );
  for (const r of results) {
    const cpu =
      r.cpuMs === null || trivial.cpuMs === null
        ? `${"n/a".padStart(13)}${"n/a".padStart(17)}`
        : `${r.cpuMs.toFixed(2).padStart(13)}${(r.cpuMs / Math.max(trivial.cpuMs, 0.01)).toFixed(2).padStart(17)}`;
    console.log(
      `${r.name.padEnd(width)} ${r.rps.toFixed(0).padStart(7)} ${r.p50.toFixed(1).padStart(9)} ${r.p99.toFixed(1).padStart(8)} ${String(r.errors).padStart(8)} ${(r.rps / trivial.rps).toFixed(2).padStart(18)} ${(r.p99 / Math.max(trivial.p99, 0.1)).toFixed(2).padStart(16)}${cpu}`,
    );
  }
  console.log(
    typeof heap === "string"
      ? `\nedge isolate heap after the run: not read (${heap})`
      : `\nedge isolate heap after the run, after a full collection: ${mb(heap.usedBytes)} used of ${mb(heap.totalBytes)}` +
          ` (array buffers ${mb(heap.backingBytes)} besides)`,
  );
}

const port = Number(args.port);
const demoListeners = Array.from({ length: listenerCount }, (_, i) => `demo-${i + 1}`);
const network = await startLocalNetwork(port, { inspectorPort: port + 1 });
let demo: Awaited<ReturnType<typeof benchRoutes>>;
try {
  demo = await benchRoutes(
    "demo",
    network,
    port + 1,
    demoListeners,
    generateDemoCatalog().tracks.map((t) => t.id),
  );
} finally {
  await network.stop();
}
printRoutes("bench, demo catalog", demo);

if (args.catalog) {
  const size = Number(args.catalog);
  const kept = args["catalog-dir"];
  if (kept) mkdirSync(kept, { recursive: true });
  const persistTo = kept ?? mkdtempSync(join(tmpdir(), "setlist-catalog-"));
  try {
    const rawListeners = Array.from({ length: listenerCount }, (_, i) => `synthetic-listener-${i + 1}`);
    const synthetic = await publishSyntheticCatalog(persistTo, size, rawListeners, (line) =>
      console.log(`[bench] ${line}`),
    );
    const large = await startLocalNetwork(port, { inspectorPort: port + 1, persistTo, seed: false });
    let measured: Awaited<ReturnType<typeof benchRoutes>>;
    try {
      measured = await benchRoutes(String(size), large, port + 1, rawListeners, synthetic.askedTracks);
    } finally {
      await large.stop();
    }
    printRoutes(`bench, synthetic catalog of ${size} tracks`, measured);
    const [demoRecs, largeRecs] = [demo.results[1]!, measured.results[1]!];
    const heapOf = ({ heap }: typeof demo) => (typeof heap === "string" ? "not read" : mb(heap.usedBytes));
    console.log(
      `\nrecommendations at ${size} tracks vs the demo catalog: req/s ${(largeRecs.rps / demoRecs.rps).toFixed(2)}x, ` +
        `p99 ${(largeRecs.p99 / demoRecs.p99).toFixed(2)}x; edge heap ${heapOf(measured)} vs ${heapOf(demo)}`,
    );
  } finally {
    if (!kept) rmSync(persistTo, { recursive: true, force: true });
  }
}
