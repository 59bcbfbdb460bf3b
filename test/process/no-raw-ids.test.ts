/**
 * No raw listener id in any log or trace: a scripted session of one listener against the real local
 * network (every listener route, an error, consent both ways, an export), then an erasure. Afterwards
 * neither what the runtime printed (its request log and the workers' logs) nor any file under its
 * persistence folder (D1, KV, Durable Objects, queues, and the local observability store that keeps
 * every request's spans and logs, as `[observability]` would in production) holds the raw id or the
 * listener's token. R2 is among them: the event lake's objects, by their blobs, listed through the
 * operator route first so the scan is known to have had them to read.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { LocalNetwork } from "../../scripts/local-network";
import { asListener, asOperator, call, testStorage, testTrack, unseededNetwork, tokenOf } from "./client";

/** Beside `npm start` (8787), the benchmarks (8797, 8798) and the kill test (8811). */
const PORT = 8812;
/** Letters, digits and dashes only: it reads the same in a URL, JSON, a log line or a SQLite page. */
const RAW_ID = "scan-raw-listener-4f2a9c";
const TRACKS = Array.from({ length: 12 }, (_, i) => testTrack("scan", i));

let network: LocalNetwork | undefined;
const persistTo = testStorage("scan", () => network);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The files under `dir` whose bytes contain `needle`. */
const filesHolding = (dir: string, needle: string) =>
  filesUnder(dir).filter((file) => readFileSync(file).includes(Buffer.from(needle)));

it("a listener's session and erasure leave their raw id in no log, trace or store", async () => {
  network = await unseededNetwork(PORT, persistTo, TRACKS, { traces: true });
  const net = network;
  const me = await asListener(RAW_ID);
  const now = Date.now();
  const events = TRACKS.slice(0, 8).map((t, i) => ({
    id: `scan-${i}`,
    // The body may name the listener; it must go no further than the edge.
    ...(i % 2 ? { listenerId: RAW_ID } : {}),
    trackId: t.id,
    type: i === 3 ? "skip" : "play",
    positionMs: i === 3 ? 5_000 : 60_000,
    device: "phone",
    timestamp: now - (8 - i) * 60_000,
  }));
  await call(net, "/v1/events", { method: "POST", headers: me, body: JSON.stringify({ events }) }, 202);
  // A refused request that names the listener in its body.
  await call(
    net,
    "/v1/events",
    { method: "POST", headers: me, body: JSON.stringify({ events: [{ ...events[1], type: "hum" }] }) },
    400,
  );
  await call(net, "/v1/me/recommendations?limit=5&activity=workout&timeZone=Europe/Stockholm", { headers: me }, 200);
  await call(net, "/v1/me/now-playing", { headers: me }, 200);
  // No model is published on this storage, so the speaker has nothing to name yet; its route runs all the same.
  await call(net, "/v1/speaker/next", { headers: await asListener(RAW_ID, "speaker") }, 503);
  await call(
    net,
    "/v1/me/onboarding",
    { method: "POST", headers: me, body: JSON.stringify({ genres: ["folk"] }) },
    202,
  );
  await call(net, "/v1/me/consent", { method: "PUT", headers: me, body: JSON.stringify({ analytics: false }) }, 200);
  await call(net, "/v1/me/consent", { method: "PUT", headers: me, body: JSON.stringify({ analytics: true }) }, 200);

  // The events reach D1 (so every store has held the listener) before they are erased.
  const deadline = Date.now() + 60_000;
  let stored = 0;
  while (stored < events.length && Date.now() < deadline) {
    stored = (await call<{ events: unknown[] }>(net, "/v1/me/export", { headers: me }, 200)).events.length;
    if (stored < events.length) await new Promise((r) => setTimeout(r, 1000));
  }
  expect(stored).toBeGreaterThanOrEqual(events.length);
  // The lake (R2) held the listener's events by then: the consumer writes it before acking their batch.
  const lake = await call<{ objects: { key: string; size: number }[] }>(
    net,
    "/admin/lake",
    { headers: asOperator },
    200,
  );
  expect(lake.objects.length).toBeGreaterThan(0);
  await call(net, "/v1/me", { method: "DELETE", headers: me }, 200);
  await network.stop();

  const output = network.output();
  const trace = filesUnder(persistTo).filter((f) => f.includes("/observability/"));
  const r2 = filesUnder(persistTo).filter((f) => f.includes("/r2/"));
  // The scans look where the session left its marks: its requests are in the log and in the trace store.
  expect(output).toContain("/v1/me/recommendations");
  expect(trace.length).toBeGreaterThan(0);
  expect(r2.length).toBeGreaterThan(0);
  expect(filesHolding(persistTo, "/v1/me/recommendations").some((f) => f.includes("/observability/"))).toBe(true);

  const token = await tokenOf(RAW_ID);
  console.log(
    `[no raw ids] ${output.split("\n").length} lines of runtime output and ${filesUnder(persistTo).length} stored files (${trace.length} of the trace store, ${r2.length} of R2) scanned for ${RAW_ID}`,
  );
  expect(output).not.toContain(RAW_ID);
  expect(output).not.toContain(token);
  expect(filesHolding(persistTo, RAW_ID)).toEqual([]);
  expect(filesHolding(persistTo, token)).toEqual([]);
});
