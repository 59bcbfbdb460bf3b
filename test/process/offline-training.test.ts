/**
 * The event lake's contract end to end, as an operator would run it: events posted to a real local network
 * land in the lake (R2, day-partitioned NDJSON), `npm run train:offline -- --lake DIR --from URL` pulls them,
 * trains the project's own model in Node and publishes it through the operator routes, and the edge then
 * answers from that version.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";
import type { LocalNetwork } from "../../scripts/local-network";
import { asListener, asOperator, call, testStorage, testTrack, unseededNetwork } from "./client";

/** The lake helper's range (9300-9399). */
const PORT = 9311;
const TRACKS = Array.from({ length: 40 }, (_, i) => testTrack("lake", i));
const LISTENERS = 20;
const EVENTS_EACH = 15;

let network: LocalNetwork | undefined;
const persistTo = testStorage("lake", () => network);

async function lakeEventCount(net: LocalNetwork): Promise<number> {
  const { objects } = await call<{ objects: { key: string }[] }>(net, "/admin/lake", { headers: asOperator }, 200);
  let lines = 0;
  for (const { key } of objects) {
    const res = await fetch(`${net.base}/admin/lake/object?key=${encodeURIComponent(key)}`, { headers: asOperator });
    lines += (await res.text()).split("\n").filter(Boolean).length;
  }
  return lines;
}

it("events posted reach the lake, train:offline publishes a version from it, and the edge serves that version", async () => {
  network = await unseededNetwork(PORT, persistTo, TRACKS);
  const net = network;
  const now = Date.now();
  for (let l = 0; l < LISTENERS; l++) {
    // Two taste groups, so the model has something to learn: even listeners play the first half of the catalog.
    const events = Array.from({ length: EVENTS_EACH }, (_, i) => ({
      id: `lake-${l}-${i}`,
      trackId: TRACKS[((l % 2) * 20 + ((l * 7 + i * 3) % 20)) % TRACKS.length]!.id,
      type: i % 4 === 0 ? "like" : "complete",
      device: "phone",
      timestamp: now - (EVENTS_EACH - i) * 60_000,
    }));
    const headers = await asListener(`lake-listener-${l}`);
    await call(net, "/v1/events", { method: "POST", headers, body: JSON.stringify({ events }) }, 202);
  }
  const deadline = Date.now() + 60_000;
  let inLake = 0;
  while ((inLake = await lakeEventCount(net)) < LISTENERS * EVENTS_EACH && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
  }
  expect(inLake).toBe(LISTENERS * EVENTS_EACH);

  const dir = mkdtempSync(join(persistTo, "lake-copy-"));
  const run = spawnSync(
    resolve("node_modules/.bin/tsx"),
    ["scripts/train-offline.ts", "--lake", dir, "--from", net.base],
    { encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  console.log(run.stdout);
  expect(run.status, run.stderr).toBe(0);
  expect(readdirSync(join(dir, "events")).every((d) => /^day=\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
  const version = /uploaded as version (v\S+);/.exec(run.stdout)?.[1];
  expect(version).toBeDefined();

  let status = "building";
  while (status === "building" && Date.now() < deadline + 60_000) {
    await new Promise((r) => setTimeout(r, 1000));
    status = (await call<{ status: string }>(net, `/admin/models/${version}`, { headers: asOperator }, 200)).status;
  }
  // The first version has no live one to be judged against: the gate lets it through.
  expect(status).toBe("published");
  const recs = await call<{ source: string; modelVersion: string }>(
    net,
    "/v1/me/recommendations?limit=5",
    { headers: await asListener("lake-listener-0") },
    200,
  );
  expect(recs).toMatchObject({ source: "model", modelVersion: version });
});
