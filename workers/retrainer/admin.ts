import { Hono } from "hono";
import { z } from "zod";
import { problem, problemResponse } from "../../shared/api/problem";
import { Limit, MAX_IMPORT_ROWS, SyntheticListeningRequest } from "../../shared/api/schemas";
import { validate } from "../../shared/api/validate";
import { API_KEY_HEADER, checkApiKey, KeyName, NewKeyRequest, readApiKey } from "../../shared/auth/api-key";
import { MetricsQuery } from "../../shared/analytics/metrics";
import { listDeadLetters, replayDeadEvents } from "./dead-letters";
import type { Env } from "./env";
import { experimentResultsResponse } from "./experiment-results";
import { experimentsApp, type OperatorVariables } from "./experiments";
import { importInteractions, importSyntheticListening, importTracks } from "./import";
import { createKey, listKeys, revokeKeys } from "./keys";
import { metricsResponse, readMetrics } from "./metrics";
import { readQueueLag } from "./queue-lag";
import { ArrayName, TrainedModelManifest } from "../../shared/lake/offline-model";
import { isLakeObjectKey } from "../../shared/lake/partitions";
import { listLakeObjects, readLakeObject, withheldListeners } from "./lake-reads";
import { publishTrainedModel, registerTrainedModel, storeTrainedArrayPart, type Refusal } from "./trained-model";
import { cancelRetrain, isStuck, versionWithRun } from "./retrain/status";
import { seedDemoData } from "./seed";
import { getSyntheticRun, startSyntheticRun, SyntheticTrainingRequest } from "./synthetic";
import {
  currentPointer,
  listVersions,
  previousVersion,
  promote,
  runningDetail,
  startRetrain,
  type PromoteResult,
  type StartResult,
} from "./versions";

function promotionResponse(result: PromoteResult) {
  return result.ok
    ? Response.json({ current: result.pointer })
    : problemResponse(problem(result.status, result.detail));
}

const VersionId = z.string().regex(/^v[0-9]{14}-[0-9a-f]{6}$/);
const VersionParam = z.strictObject({ version: VersionId });

/** An uploaded model's answer, or the problem that refused it. */
function uploadResponse<T extends object>(result: T | Refusal, status: 200 | 201 | 202 = 200) {
  return "detail" in result
    ? problemResponse(problem(result.status, result.detail))
    : Response.json(result, { status });
}

/** One retrain at a time: a second request is told which one runs, and how to stop it if it is stuck. */
function retrainResponse(result: StartResult) {
  if (result.ok) return Response.json({ version: result.version, status: "building" }, { status: 202 });
  return problemResponse(problem(409, runningDetail(result.running), { running: result.running.version }));
}

/**
 * Operator routes. The edge is their only public door and checks the caller's role, but this worker
 * checks the operator's key again itself (the edge forwards its x-api-key), so that no other path to
 * it (a misrouted binding, a local runtime's routing header) can reach them without one. It reads
 * D1 on each call: operator calls are few, and a revocation takes effect at once.
 */
export const adminApp = new Hono<{ Bindings: Env; Variables: OperatorVariables }>()
  .basePath("/admin")
  .use(async (c, next) => {
    const key = await checkApiKey(c.req.header(API_KEY_HEADER), ["operator"], (hash) => readApiKey(c.env.DB, hash));
    if (key instanceof Response) return key;
    c.set("operator", key.name);
    await next();
  })
  .route("/experiments", experimentsApp)
  .get("/dlq", validate("query", z.strictObject({ limit: Limit(50, 100) })), async (c) =>
    c.json(await listDeadLetters(c.env, c.req.valid("query").limit)),
  )
  .post("/dlq/replay", validate("query", z.strictObject({ limit: Limit(100, 100) })), async (c) =>
    c.json(await replayDeadEvents(c.env, c.req.valid("query").limit)),
  )
  // The queue backlog as the consumers saw it, per minute (queue-lag.ts); at most a day at a time.
  .get("/pipeline", validate("query", z.strictObject({ minutes: Limit(60, 1440) })), async (c) =>
    c.json(await readQueueLag(c.env.DB, c.req.valid("query").minutes)),
  )
  // What `npm run keys` does, for the dashboard and curl: list, create (the key is answered once), revoke by name.
  .get("/keys", async (c) => c.json({ keys: await listKeys(c.env) }))
  .post("/keys", validate("json", NewKeyRequest), async (c) => {
    const { role, name } = c.req.valid("json");
    // The only copy of the key: no cache may keep it.
    return c.json(await createKey(c.env, role, name), 201, { "cache-control": "no-store" });
  })
  .post("/keys/revoke", validate("json", z.strictObject({ name: KeyName })), async (c) => {
    const { name } = c.req.valid("json");
    const revoked = await revokeKeys(c.env, name);
    if (revoked === 0) return problemResponse(problem(404, `No active key named "${name}"`));
    return c.json({ name, revoked });
  })
  .post("/seed", async (c) => {
    const result = await seedDemoData(c.env);
    const started = result.seeded ? await startRetrain(c.env, "seed") : null;
    // A retrain already running will train on the seeded data too, if it began after it; else the next one.
    const version = started?.ok ? started.version : null;
    return c.json({ ...result, retrainVersion: version }, result.seeded ? 201 : 200);
  })
  .post("/import/synthetic-listening", validate("json", SyntheticListeningRequest), async (c) => {
    const result = await importSyntheticListening(c.env, c.req.valid("json"));
    if ("catalogTracks" in result)
      return problemResponse(
        problem(422, `The catalog has ${result.catalogTracks} tracks, fewer than items; import the catalog first`, {
          errors: [{ path: "items", message: `at most ${result.catalogTracks}` }],
        }),
      );
    return c.json(result);
  })
  .post("/import/:kind{tracks|interactions}", async (c) => {
    const body = await c.req.json().catch(() => undefined);
    const rows = (body as { rows?: unknown } | undefined)?.rows;
    if (!Array.isArray(rows) || rows.length === 0 || rows.length > MAX_IMPORT_ROWS) {
      return problemResponse(
        problem(400, `Body must be {"rows": [...]} with 1 to ${MAX_IMPORT_ROWS} rows`, {
          errors: [{ path: "rows", message: `expected an array of 1-${MAX_IMPORT_ROWS} rows` }],
        }),
      );
    }
    const result =
      c.req.param("kind") === "tracks" ? await importTracks(c.env, rows) : await importInteractions(c.env, rows);
    return c.json(result);
  })
  .post("/retrain", async (c) => retrainResponse(await startRetrain(c.env, "operator")))
  .post("/synthetic-training", validate("json", SyntheticTrainingRequest), async (c) =>
    c.json(await startSyntheticRun(c.env, c.req.valid("json")), 202),
  )
  .get("/synthetic-training/:run", async (c) => {
    // Runs are named by UUID; anything else names none, and may be longer than a KV key can be.
    const run = z.uuid().safeParse(c.req.param("run"));
    const record = run.success ? await getSyntheticRun(c.env, run.data) : null;
    if (!record) return problemResponse(problem(404, `No synthetic training run ${c.req.param("run")}`));
    return c.json(record);
  })
  .get("/metrics", validate("query", MetricsQuery), async (c) => {
    const q = c.req.valid("query");
    return metricsResponse(q, c.req.header("accept"), await readMetrics(c.env, q));
  })
  .get("/experiments/:id/results", async (c) => experimentResultsResponse(c.env, c.req.param("id")))
  .get("/models", async (c) => {
    const versions = (await listVersions(c.env)).map((row) =>
      row.status === "building"
        ? { ...row, run: { status: isStuck(c.env, row) ? "stuck" : "running", step: row.step } }
        : row,
    );
    return c.json({ current: await currentPointer(c.env), versions });
  })
  .get("/models/:version", async (c) => {
    const parsed = VersionParam.safeParse(c.req.param());
    const row = parsed.success ? await versionWithRun(c.env, parsed.data.version) : undefined;
    if (!row) return problemResponse(problem(404, `No model version ${c.req.param("version")}`));
    return c.json(row);
  })
  // The event lake, for trainers outside Workers (README, "Event lake").
  .get("/lake", validate("query", z.strictObject({ cursor: z.string().max(1024).optional() })), async (c) =>
    c.json(await listLakeObjects(c.env, c.req.valid("query").cursor)),
  )
  .get(
    "/lake/object",
    validate(
      "query",
      z.strictObject({
        key: z.string().refine(isLakeObjectKey, "must be a lake object's key, events/day=.../....ndjson"),
      }),
    ),
    async (c) => {
      const { key } = c.req.valid("query");
      const body = await readLakeObject(c.env, key);
      if (!body) return problemResponse(problem(404, `No lake object ${key}`));
      return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
    },
  )
  .get("/lake/withheld", async (c) => c.json({ listeners: await withheldListeners(c.env) }))
  // A model trained outside Workers: its manifest, then each array, then publish (trained-model.ts).
  .post("/models/offline", validate("json", TrainedModelManifest), async (c) =>
    uploadResponse(await registerTrainedModel(c.env, c.req.valid("json")), 201),
  )
  .put(
    "/models/offline/:version/arrays/:name/:part",
    validate(
      "param",
      z.strictObject({
        version: VersionId,
        name: ArrayName,
        part: z
          .string()
          .regex(/^[0-9]{1,5}$/, "must be a part number")
          .transform(Number),
      }),
    ),
    async (c) => {
      const { version, name, part } = c.req.valid("param");
      return uploadResponse(await storeTrainedArrayPart(c.env, version, name, part, await c.req.arrayBuffer()));
    },
  )
  .post("/models/offline/:version/publish", validate("param", VersionParam), async (c) =>
    uploadResponse(await publishTrainedModel(c.env, c.req.valid("param").version), 202),
  )
  .post("/models/:version/cancel", async (c) => {
    const parsed = VersionParam.safeParse(c.req.param());
    const result = parsed.success
      ? await cancelRetrain(c.env, parsed.data.version, c.get("operator"))
      : ({ ok: false, status: 404, detail: `No model version ${c.req.param("version")}` } as const);
    if (!result.ok) return problemResponse(problem(result.status, result.detail));
    return c.json(await versionWithRun(c.env, parsed.data!.version));
  })
  .post("/models/:version/promote", async (c) => promotionResponse(await promote(c.env, c.req.param("version"))))
  .post("/models/rollback", async (c) => {
    const previous = await previousVersion(c.env);
    if (!previous) return problemResponse(problem(409, "There is no earlier published version to roll back to"));
    return promotionResponse(await promote(c.env, previous));
  });
