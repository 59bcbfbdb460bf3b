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
import { SyntheticTrainingRequest } from "./jobs";
import { seedDemoData } from "./seed";
import { failStalledVersions, STALLED_AFTER_MS } from "./stalled";
import { getSyntheticRun, startSyntheticRun } from "./synthetic";
import {
  currentPointer,
  getVersion,
  listVersions,
  previousVersion,
  promote,
  startRetrain,
  type PromoteResult,
} from "./versions";

function promotionResponse(result: PromoteResult) {
  return result.ok
    ? Response.json({ current: result.pointer })
    : problemResponse(problem(result.status, result.detail));
}

const VersionParam = z.strictObject({ version: z.string().regex(/^v[0-9]{14}-[0-9a-f]{6}$/) });

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
    const version = result.seeded ? await startRetrain(c.env, "seed") : null;
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
  .post("/retrain", async (c) => c.json({ version: await startRetrain(c.env, "operator"), status: "building" }, 202))
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
  .get("/models", async (c) => c.json({ current: await currentPointer(c.env), versions: await listVersions(c.env) }))
  .get("/models/:version", async (c) => {
    const parsed = VersionParam.safeParse(c.req.param());
    const row = parsed.success ? await getVersion(c.env, parsed.data.version) : undefined;
    if (!row) return problemResponse(problem(404, `No model version ${c.req.param("version")}`));
    return c.json(row);
  })
  .post("/models/:version/promote", async (c) => promotionResponse(await promote(c.env, c.req.param("version"))))
  /** Marks failed the retrains that made no progress since `stalledBefore` (ms since the epoch; default: the limit). */
  .post(
    "/models/sweep",
    validate(
      "query",
      z.strictObject({
        stalledBefore: z
          .string()
          .regex(/^[0-9]{1,15}$/, "must be milliseconds since the epoch")
          .transform(Number)
          .optional(),
      }),
    ),
    async (c) =>
      c.json({
        failed: await failStalledVersions(c.env, c.req.valid("query").stalledBefore ?? Date.now() - STALLED_AFTER_MS),
      }),
  )
  .post("/models/rollback", async (c) => {
    const previous = await previousVersion(c.env);
    if (!previous) return problemResponse(problem(409, "There is no earlier published version to roll back to"));
    return promotionResponse(await promote(c.env, previous));
  });
