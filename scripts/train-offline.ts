/**
 * The project's own trainer run outside Workers over the event lake, publishing through the artefact
 * contract an external engine would use (README, "Event lake"):
 *
 *   npm run train:offline -- --lake DIR [--from URL] [--publish URL]
 *
 * --from pulls the lake's objects into DIR first, through the operator routes (GET /admin/lake, /admin/lake/object)
 * with the listeners a trainer must leave out (/admin/lake/withheld, kept as DIR/withheld.json); a lake
 * copied another way (`wrangler r2 object get`, rclone against R2's S3 API) works the same. It trains on
 * every `events/day=*\/*.ndjson` under DIR and, with --publish (defaulting to --from), uploads the model:
 * POST /admin/models/offline (manifest), PUT .../arrays/{name}/{part} for each array's parts, POST .../publish. The
 * version then goes live, or not, by the promotion gate, as any retrain; GET /admin/models/{version} says.
 * The operator key is SETLIST_OPERATOR_KEY, or the development one.
 */
import "../shared/kernels/node";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { isLakeObjectKey } from "../shared/lake/partitions";
import { parseLakeRecords } from "../shared/lake/records";
import { trainForUpload, trainingSetFromLake } from "../shared/lake/training";
import { HOLDOUT_KEY, TRAINING_SEED } from "../workers/retrainer/retrain/read-data";
import { DEV_KEYS } from "./dev-credentials";

const { values: args } = parseArgs({
  options: { lake: { type: "string" }, from: { type: "string" }, publish: { type: "string" } },
});
if (!args.lake) {
  console.error("usage: npm run train:offline -- --lake DIR [--from URL] [--publish URL]");
  process.exit(2);
}
const lake = args.lake;
const operatorKey = process.env.SETLIST_OPERATOR_KEY ?? DEV_KEYS.operator.key;
const WITHHELD_FILE = "withheld.json";

async function call(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${base}${path}`, { ...init, headers: { "x-api-key": operatorKey, ...init.headers } });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** The lake's objects into DIR under their keys, and the listeners to leave out. */
async function pull(base: string): Promise<number> {
  let cursor: string | null = null;
  let pulled = 0;
  do {
    const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    const page = (await (await call(base, `/admin/lake${query}`)).json()) as {
      objects: { key: string }[];
      cursor: string | null;
    };
    for (const { key } of page.objects) {
      const text = await (await call(base, `/admin/lake/object?key=${encodeURIComponent(key)}`)).text();
      mkdirSync(dirname(join(lake, key)), { recursive: true });
      writeFileSync(join(lake, key), text);
      pulled++;
    }
    cursor = page.cursor;
  } while (cursor);
  const withheld = await (await call(base, "/admin/lake/withheld")).json();
  writeFileSync(join(lake, WITHHELD_FILE), JSON.stringify(withheld));
  return pulled;
}

function lakeFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((path) => path.split("\\").join("/"))
    .filter(isLakeObjectKey)
    .map((path) => join(dir, path));
}

async function upload(base: string, model: Awaited<ReturnType<typeof trainForUpload>>): Promise<string> {
  const json = { "content-type": "application/json" };
  const body = JSON.stringify(model.manifest);
  const { version } = (await (
    await call(base, "/admin/models/offline", { method: "POST", headers: json, body })
  ).json()) as {
    version: string;
  };
  for (const [name, parts] of model.parts) {
    for (const [part, bytes] of parts.entries()) {
      await call(base, `/admin/models/offline/${version}/arrays/${name}/${part}`, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body: bytes,
      });
    }
  }
  await call(base, `/admin/models/offline/${version}/publish`, { method: "POST" });
  return version;
}

const lakeReadAt = Date.now();
if (args.from)
  console.log(`[train:offline] pulled ${await pull(args.from)} lake objects from ${args.from} into ${lake}`);
const files = lakeFiles(lake);
const records = parseLakeRecords(files.map((f) => readFileSync(f, "utf8")));
const withheldPath = join(lake, WITHHELD_FILE);
const withheld = new Set(
  existsSync(withheldPath) ? (JSON.parse(readFileSync(withheldPath, "utf8")) as { listeners: string[] }).listeners : [],
);
const data = trainingSetFromLake(records, withheld);
console.log(
  `[train:offline] ${records.length} events in ${files.length} files: ${data.listeners.length} listeners x ${data.items.length} tracks`,
);
const started = Date.now();
const model = await trainForUpload(data, { seed: TRAINING_SEED, holdoutKey: HOLDOUT_KEY, lakeReadAt });
const bytes = [...model.parts.values()].flat().reduce((sum, part) => sum + part.byteLength, 0);
console.log(
  `[train:offline] trained in ${Date.now() - started} ms: holdout ndcg@10 ${model.manifest.holdout.report.ndcg.toFixed(4)}, ${model.parts.size} arrays, ${(bytes / 1e6).toFixed(1)} MB`,
);
const target = args.publish ?? args.from;
if (target) {
  const version = await upload(target, model);
  console.log(`[train:offline] uploaded as version ${version}; publishing (GET /admin/models/${version})`);
}
