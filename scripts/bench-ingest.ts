/**
 * `npm run bench:ingest`: event ingest end to end, as apps send it. Starts the network locally and, for
 * --duration seconds, posts batches of listening events (POST /v1/events, --batch events a request, by
 * default the 100 the route takes at most) for --listeners signed-in listeners from --concurrency loops,
 * then --single seconds of one event a request. Every event takes the real path: the listener's session object and its outbox, the setlist-events queue, the retrainer's
 * consumer, D1. Then it waits for the outbox and the queue to drain and counts the rows in D1 against
 * the events answered 202: lost = accepted - landed. Before the load, --trivial seconds of GET /health from
 * as many loops, on the same network: the requests/s of a route that does nothing, beside the events route's.
 * --profile FILE samples the edge isolate's CPU (the edge and its session objects) during the load, prints
 * where its time went and writes the profile to FILE (.cpuprofile, for DevTools).
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { generateDemoCatalog } from "../shared/demo";
import { signListenerToken } from "../workers/edge/auth/listener-token";
import { functionTimes, startCpuProfile, type CpuProfile } from "./cpu-profile";
import { listenerTokenConfig } from "./dev-credentials";
import { openInspector } from "./inspector";
import { processGroupCpuSeconds } from "./process-cpu";
import { storeKeys } from "./keys";
import { startLocalNetwork } from "./local-network";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    trivial: { type: "string", default: "10" },
    concurrency: { type: "string", default: "32" },
    /** The route's largest batch: an app sends what it kept since its last report (offline, or every few plays). */
    batch: { type: "string", default: "100" },
    /** Seconds of one event a request after the drain, as an app that reports each play at once (0: none). */
    single: { type: "string", default: "10" },
    listeners: { type: "string", default: "200" },
    port: { type: "string", default: "8798" },
    /** Longest wait for the drain after the load stops. */
    "drain-timeout": { type: "string", default: "600" },
    /** A file for what the network printed (its request log and the workers' logs), to see what limited it. */
    log: { type: "string" },
    profile: { type: "string" },
    /** Storage to start on and keep (seeded on the first run), so that runs after it skip the seed and first retrain. */
    "persist-to": { type: "string" },
  },
});
const durationMs = Number(args.duration) * 1000;
const concurrency = Number(args.concurrency);
const batchSize = Number(args.batch);
const listenerCount = Number(args.listeners);
/** An app's key is limited to 1,000 requests per 10 s; the load is spread over enough keys to stay below. */
const BENCH_KEYS = 20;
const PLAY_TYPES = ["play", "complete", "skip", "like"] as const;

const port = Number(args.port);
const network = await startLocalNetwork(port, {
  persistTo: args["persist-to"],
  inspectorPort: args.profile ? port + 1 : undefined,
});
// Counted in the local D1's SQLite file itself: a `wrangler d1 execute` every 2 s would take the CPU the drain needs.
const d1Folder = join(network.persistTo, "v3/d1/miniflare-D1DatabaseObject");
const d1File = join(
  d1Folder,
  readdirSync(d1Folder).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")!,
);
const landedRows = () => {
  // The runtime's writes lock the file for a moment: wait for them rather than fail the run.
  const db = new DatabaseSync(d1File, { readOnly: true, timeout: 10_000 });
  try {
    return Number((db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n);
  } finally {
    db.close();
  }
};
try {
  const keys = Array.from({ length: BENCH_KEYS }, (_, i) => ({
    key: `bench-ingest-key-${i}`,
    role: "client" as const,
    name: `bench ingest ${i}`,
  }));
  await storeKeys({ persistTo: network.persistTo }, keys);
  const tokenConfig = await listenerTokenConfig();
  const tokens = await Promise.all(
    Array.from({ length: listenerCount }, (_, i) => signListenerToken(tokenConfig, `ingest-${i + 1}`, 7200)),
  );
  const trackIds = generateDemoCatalog().tracks.map((t) => t.id);
  const before = landedRows();

  // The trivial route first, at the same concurrency, so the events route's requests/s has its yardstick.
  let trivialRequests = 0;
  const trivialStart = performance.now();
  const trivialEnd = trivialStart + Number(args.trivial) * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < trivialEnd) {
        const res = await fetch(`${network.base}/health`);
        await res.arrayBuffer();
        if (res.ok) trivialRequests++;
      }
    }),
  );
  const trivialRate = trivialRequests / ((performance.now() - trivialStart) / 1000);

  // Event ids of their own per run: a run on kept storage (--persist-to) must not repeat an earlier run's.
  const run = Date.now().toString(36);
  let nextEvent = 0,
    nextListener = 0;
  /** `size` events a request from every loop for `seconds`: what was answered, and how fast. */
  const postEvents = async (size: number, seconds: number) => {
    const sent = { requests: 0, accepted: 0, duplicates: 0, failed: 0, seconds: 0 };
    const failures = new Map<string, number>();
    const latencies: number[] = [];
    const start = performance.now();
    const end = start + seconds * 1000;
    const worker = async () => {
      while (performance.now() < end) {
        const listener = nextListener++ % listenerCount;
        const now = Date.now();
        const events = Array.from({ length: size }, (_, i) => {
          const n = nextEvent++;
          return {
            id: `bench-${run}-${n}`,
            trackId: trackIds[(n * 7919) % trackIds.length]!,
            type: PLAY_TYPES[n % PLAY_TYPES.length]!,
            // A batch an app kept while offline: its plays a few seconds apart, in order.
            timestamp: now - (size - i) * 3000,
            device: "phone" as const,
          };
        });
        const askedAt = performance.now();
        const res = await fetch(`${network.base}/v1/events`, {
          method: "POST",
          headers: {
            "x-api-key": keys[listener % BENCH_KEYS]!.key,
            authorization: `Bearer ${tokens[listener]}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ events }),
        }).catch((error: unknown) => error as Error);
        if (res instanceof Error) {
          sent.failed++;
          const key = `no answer: ${String(res.cause ?? res)}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
          continue;
        }
        const text = await res.text();
        latencies.push(performance.now() - askedAt);
        sent.requests++;
        if (res.status === 202) {
          const body = JSON.parse(text) as { accepted: number; duplicates: number };
          sent.accepted += body.accepted;
          sent.duplicates += body.duplicates;
        } else {
          sent.failed++;
          const key = `${res.status} ${text.slice(0, 120)}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    sent.seconds = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]?.toFixed(0);
    const requestsLine =
      `${sent.requests} (${(sent.requests / sent.seconds).toFixed(0)}/s, ` +
      `${(sent.requests / sent.seconds / trivialRate).toFixed(2)}x the trivial route's), ` +
      `failed ${sent.failed}, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`;
    return { ...sent, failures, requestsLine };
  };
  /** Waits until D1 holds `expected` more rows than at the start, or nothing moved for a minute, or the timeout. */
  const drain = async (expected: number) => {
    const drainStart = performance.now();
    let landed = landedRows() - before,
      lastChange = drainStart;
    while (landed < expected) {
      const now = performance.now();
      if (now - lastChange > 60_000 || now - drainStart > Number(args["drain-timeout"]) * 1000) break;
      await new Promise((r) => setTimeout(r, 2000));
      const count = landedRows() - before;
      if (count !== landed) lastChange = performance.now();
      landed = count;
    }
    return { landed, seconds: (performance.now() - drainStart) / 1000 };
  };

  const cpuBefore = processGroupCpuSeconds(network.processGroup);
  const inspector = args.profile ? await openInspector(port + 1) : null;
  const stopProfile = inspector && (await startCpuProfile(inspector));
  const load = await postEvents(batchSize, durationMs / 1000);
  const { requests, accepted, duplicates, failed, failures, seconds: loadSeconds } = load;
  const profile = stopProfile && (await stopProfile());
  inspector?.close();
  const landedAtStop = landedRows() - before;
  const drained = await drain(accepted);
  const landed = drained.landed;
  const drainSeconds = drained.seconds;
  const cpuAfter = processGroupCpuSeconds(network.processGroup);
  const totalSeconds = loadSeconds + drainSeconds;
  // Then as an app that sends each event as it happens: one event a request.
  const single = Number(args.single) > 0 ? await postEvents(1, Number(args.single)) : null;
  const singleLanded = single && (await drain(accepted + single.accepted)).landed - landed;
  const resends = network.output().match(/outbox resent undelivered messages","count":(\d+)/g) ?? [];
  const resent = resends.reduce((sum, line) => sum + Number(/(\d+)$/.exec(line)![1]), 0);

  console.log(
    `bench:ingest: ${args.duration} s, ${concurrency} concurrent, ${batchSize} events a request, ${listenerCount} listeners`,
  );
  console.log(`  trivial route (GET /health, ${args.trivial} s before the load): ${trivialRate.toFixed(0)} requests/s`);
  console.log(`  requests: ${load.requestsLine}`);
  for (const [what, count] of failures) console.log(`    ${count} x ${what}`);
  console.log(
    `  accepted (202): ${accepted} events, ${(accepted / loadSeconds).toFixed(0)} events/s; duplicates ${duplicates}`,
  );
  console.log(`  landed in D1 while loading: ${landedAtStop} (${(landedAtStop / loadSeconds).toFixed(0)} events/s)`);
  console.log(
    `  landed in D1 in all: ${landed}, ${(landed / totalSeconds).toFixed(0)} events/s over load and drain; ` +
      `drain ${drainSeconds.toFixed(1)} s`,
  );
  console.log(`  lost: ${accepted - landed}; outbox resends: ${resent}`);
  if (cpuBefore !== null && cpuAfter !== null) {
    // Robust to the other load on a shared machine, where events/s are not.
    console.log(
      `  network CPU over load and drain: ${(cpuAfter - cpuBefore).toFixed(1)} s (user + system), ` +
        `${((1e6 * (cpuAfter - cpuBefore)) / Math.max(1, landed)).toFixed(0)} us an event landed`,
    );
  }
  if (single) {
    console.log(`  one event a request, ${args.single} s after the drain:`);
    console.log(`    requests: ${single.requestsLine}`);
    for (const [what, count] of single.failures) console.log(`      ${count} x ${what}`);
    console.log(
      `    accepted (202): ${single.accepted} events, ${(single.accepted / single.seconds).toFixed(0)} events/s; ` +
        `landed ${singleLanded}, lost ${single.accepted - singleLanded!}`,
    );
  }
  if (profile) printProfile(profile, args.profile!, accepted, requests);
  if (accepted !== landed || (single && single.accepted !== singleLanded)) process.exitCode = 1;
} finally {
  if (args.log) writeFileSync(args.log, network.output());
  await network.stop();
}

/** Where the edge isolate's time went during the load: busy share, then the functions by total and by self time. */
function printProfile(profile: CpuProfile, file: string, events: number, requests: number) {
  writeFileSync(file, JSON.stringify(profile));
  const { wallMs, idleMs, functions } = functionTimes(profile);
  const busyMs = wallMs - idleMs;
  console.log(
    `  edge isolate CPU during the load (profile in ${file}): busy ${busyMs.toFixed(0)} of ${wallMs.toFixed(0)} ms, ` +
      `${((1000 * busyMs) / Math.max(1, events)).toFixed(1)} us an event, ${(busyMs / Math.max(1, requests)).toFixed(2)} ms a request`,
  );
  const show = (title: string, key: "totalMs" | "selfMs", count: number) => {
    console.log(`  by ${title}:`);
    for (const f of functions.toSorted((a, b) => b[key] - a[key]).slice(0, count)) {
      console.log(
        `    ${((100 * f[key]) / busyMs).toFixed(1).padStart(5)}%  ${f[key].toFixed(0).padStart(7)} ms  ${f.name}`,
      );
    }
  };
  show("total time", "totalMs", 40);
  show("self time", "selfMs", 25);
}
