import { Hono } from "hono";
import { z } from "zod";
import { problem, problemResponse } from "../../shared/api/problem";
import type { Env } from "./env";
import { seedDemoData } from "./seed";
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

/** Operator routes. Reached only through the edge, which checks the caller's role first. */
export const adminApp = new Hono<{ Bindings: Env }>()
  .basePath("/admin")
  .post("/seed", async (c) => {
    const result = await seedDemoData(c.env);
    const version = result.seeded ? await startRetrain(c.env, "seed") : null;
    return c.json({ ...result, retrainVersion: version }, result.seeded ? 201 : 200);
  })
  .post("/retrain", async (c) => c.json({ version: await startRetrain(c.env, "operator"), status: "building" }, 202))
  .get("/models", async (c) => c.json({ current: await currentPointer(c.env), versions: await listVersions(c.env) }))
  .get("/models/:version", async (c) => {
    const parsed = VersionParam.safeParse(c.req.param());
    const row = parsed.success ? await getVersion(c.env, parsed.data.version) : undefined;
    if (!row) return problemResponse(problem(404, `No model version ${c.req.param("version")}`));
    return c.json(row);
  })
  .post("/models/:version/promote", async (c) => promotionResponse(await promote(c.env, c.req.param("version"))))
  .post("/models/rollback", async (c) => {
    const previous = await previousVersion(c.env);
    if (!previous) return problemResponse(problem(409, "There is no earlier published version to roll back to"));
    return promotionResponse(await promote(c.env, previous));
  });
