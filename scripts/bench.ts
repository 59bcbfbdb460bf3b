/**
 * `npm run bench`: starts the network locally and, in one run, loads the recommendation route, the
 * speaker route and a trivial route on the same runtime with autocannon. Local figures are CPU and
 * regression signals, so each route is reported against the trivial one measured alongside it.
 */
import autocannon from "autocannon";
import { parseArgs } from "node:util";
import { generateDemoCatalog } from "../shared/demo";
import { signListenerToken } from "../workers/edge/auth/listener-token";
import { listenerTokenConfig } from "./dev-credentials";
import { isolateHeap } from "./isolate-heap";
import { storeKeys } from "./keys";
import { startLocalNetwork } from "./local-network";
import { mb } from "./memory-peak";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    port: { type: "string", default: "8797" },
    listeners: { type: "string", default: "500" },
  },
});
const listenerCount = Number(args.listeners);
/** An app's key is limited to 1,000 requests per 10 s; the load is spread over enough keys to stay below. */
const BENCH_KEYS = 20;

const inspectorPort = Number(args.port) + 1;
const network = await startLocalNetwork(Number(args.port), { inspectorPort });
try {
  const keys = (role: "client" | "speaker") =>
    Array.from({ length: BENCH_KEYS }, (_, i) => ({ key: `bench-${role}-key-${i}`, role, name: `bench ${role} ${i}` }));
  const clientKeys = keys("client"),
    speakerKeys = keys("speaker");
  await storeKeys({ persistTo: network.persistTo }, [...clientKeys, ...speakerKeys]);
  const tokenConfig = await listenerTokenConfig();
  const tokens = await Promise.all(
    Array.from({ length: listenerCount }, (_, i) => signListenerToken(tokenConfig, `demo-${i + 1}`, 3600)),
  );
  const asListener = (i: number, appKeys: { key: string }[]) => ({
    "x-api-key": appKeys[i % BENCH_KEYS]!.key,
    authorization: `Bearer ${tokens[i % listenerCount]}`,
  });
  // The seeded catalog's ids, visited out of order so reads spread over the neighbour-list shards.
  const trackIds = generateDemoCatalog().tracks.map((t) => t.id);
  const routes: [name: string, request: (i: number) => { path: string; headers?: Record<string, string> }][] = [
    ["trivial (/health)", () => ({ path: "/health" })],
    [
      "recommendations",
      (i) => ({
        path: "/v1/me/recommendations?limit=20",
        headers: asListener(i, clientKeys),
      }),
    ],
    // A stated activity also retrieves from the catalog's tracks for it (shared/ranking/context-retrieval.ts).
    [
      "recommendations, workout",
      (i) => ({ path: "/v1/me/recommendations?limit=20&activity=workout", headers: asListener(i, clientKeys) }),
    ],
    ["speaker next", (i) => ({ path: "/v1/speaker/next", headers: asListener(i, speakerKeys) })],
    [
      "similar tracks",
      (i) => ({
        path: `/v1/tracks/${trackIds[(i * 7919) % trackIds.length]}/similar?limit=20`,
        headers: asListener(i, clientKeys),
      }),
    ],
  ];
  const results: { name: string; rps: number; p50: number; p99: number; errors: number }[] = [];
  for (const [name, request] of routes) {
    let i = 0;
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
    results.push({
      name,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
    });
  }
  const trivial = results[0]!;
  console.log(`\nbench: ${args.connections} connections, ${args.duration} s per route, local workerd\n`);
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`${"route".padEnd(width)}   req/s     p50 ms   p99 ms   errors   req/s vs trivial   p99 vs trivial`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(width)} ${r.rps.toFixed(0).padStart(7)} ${r.p50.toFixed(1).padStart(9)} ${r.p99.toFixed(1).padStart(8)} ${String(r.errors).padStart(8)} ${(r.rps / trivial.rps).toFixed(2).padStart(18)} ${(r.p99 / Math.max(trivial.p99, 0.1)).toFixed(2).padStart(16)}`,
    );
  }
  const heap = await isolateHeap(inspectorPort);
  console.log(`\nedge isolate heap after the run (after a GC): ${mb(heap.usedBytes)} used of ${mb(heap.totalBytes)}`);
} finally {
  await network.stop();
}
