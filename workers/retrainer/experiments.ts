import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { z } from "zod";
import { problem, problemResponse } from "../../shared/api/problem";
import { validate } from "../../shared/api/validate";
import { experimentAudit, experiments, modelVersions } from "../../shared/db/schema";
import { allocateBuckets } from "../../shared/experiments/assignment";
import { EXPERIMENT_ID, ExperimentInput, type ExperimentStatus } from "../../shared/experiments/definition";
import { CURRENT_MODEL_KEY, type ModelPointer } from "../../shared/publish/artifacts";
import type { Env } from "./env";
import { definitionOf, liveSet, type ExperimentRow } from "./live-set";
import { currentPointer, getVersion, promote } from "./versions";

/** The operator's key name, set by the admin app's key check. */
export type OperatorVariables = { operator: string };

/**
 * Writes the live set into the model pointer beside the live version. Until a model is published
 * there is no pointer, and nothing is served: the first promotion then writes the set with it.
 */
async function publishLiveSet(env: Env): Promise<void> {
  const pointer = await currentPointer(env);
  if (!pointer) return;
  const next: ModelPointer = { ...pointer, live: await liveSet(env) };
  await env.MODELS.put(CURRENT_MODEL_KEY, JSON.stringify(next));
}

async function getExperiment(env: Env, id: string): Promise<ExperimentRow | undefined> {
  if (!EXPERIMENT_ID.test(id)) return undefined;
  const [row] = await drizzle(env.DB).select().from(experiments).where(eq(experiments.id, id));
  return row;
}

/** The running and paused experiments of a layer other than `except`: they hold its buckets. */
async function layerHolders(env: Env, layer: string, except?: string): Promise<ExperimentRow[]> {
  const rows = await drizzle(env.DB)
    .select()
    .from(experiments)
    .where(inArray(experiments.status, ["running", "paused"]));
  return rows.filter((r) => definitionOf(r).layer === layer && r.id !== except);
}

function layerFull(layer: string, holders: ExperimentRow[], traffic: number): Response {
  const taken = holders.map((r) => `${r.id} (${definitionOf(r).traffic})`).join(", ");
  return problemResponse(
    problem(409, `Layer ${layer} has no room for traffic ${traffic}: it is held by ${taken}`, {
      errors: [{ path: "traffic", message: `the layer's running and paused experiments hold: ${taken}` }],
    }),
  );
}

async function unpublishedVersions(env: Env, input: ExperimentInput): Promise<Response | null> {
  const named = input.variants.flatMap((v, i) => (v.modelVersion ? [[i, v.modelVersion] as const] : []));
  if (named.length === 0) return null;
  const rows = await drizzle(env.DB)
    .select({ version: modelVersions.version })
    .from(modelVersions)
    .where(
      and(
        inArray(
          modelVersions.version,
          named.map(([, v]) => v),
        ),
        eq(modelVersions.status, "published"),
      ),
    );
  const published = new Set(rows.map((r) => r.version));
  const errors = named
    .filter(([, v]) => !published.has(v))
    .map(([i, v]) => ({ path: `variants.${i}.modelVersion`, message: `${v} is not a published model version` }));
  if (errors.length === 0) return null;
  return problemResponse(problem(422, errors.map((e) => e.message).join("; "), { errors }));
}

function audit(env: Env, id: string, action: string, actor: string, at: number, detail: unknown = null) {
  return drizzle(env.DB).insert(experimentAudit).values({ experimentId: id, at, action, actor, detail });
}

async function view(env: Env, row: ExperimentRow) {
  const trail = await drizzle(env.DB)
    .select()
    .from(experimentAudit)
    .where(eq(experimentAudit.experimentId, row.id))
    .orderBy(asc(experimentAudit.at));
  return { ...summary(row), definition: row.definition, audit: trail.map(({ experimentId: _, ...rest }) => rest) };
}

function summary(row: ExperimentRow) {
  const { name, layer, traffic } = definitionOf(row);
  return {
    id: row.id,
    name,
    layer,
    traffic,
    status: row.status,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
    shippedVariant: row.shippedVariant,
    buckets: row.bucketFrom === null ? null : [row.bucketFrom, row.bucketTo],
  };
}

/** Which statuses each action starts from. */
const TRANSITIONS = {
  start: ["draft", "paused"],
  pause: ["running"],
  stop: ["running", "paused"],
  ship: ["running", "paused", "stopped"],
} as const satisfies Record<string, readonly ExperimentStatus[]>;
type Action = keyof typeof TRANSITIONS;

const ShipBody = z.strictObject({ variant: z.string().min(1).max(32) });

/**
 * `/admin/experiments`: define, start, pause, stop and ship experiments. Every change is in the audit
 * trail under the operator's key name, and republishes the live set to the edge.
 */
export const experimentsApp = new Hono<{ Bindings: Env; Variables: OperatorVariables }>()
  .post("/", validate("json", ExperimentInput), async (c) => {
    const input = c.req.valid("json");
    const unpublished = await unpublishedVersions(c.env, input);
    if (unpublished) return unpublished;
    const holders = await layerHolders(c.env, input.layer);
    if (holders.reduce((s, r) => s + definitionOf(r).traffic, input.traffic) > 1 + 1e-9)
      return layerFull(input.layer, holders, input.traffic);
    const now = Date.now();
    const row: ExperimentRow = {
      id: `x${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`,
      definition: input,
      salt: crypto.randomUUID(),
      status: "draft",
      createdAt: now,
      startedAt: null,
      stoppedAt: null,
      shippedVariant: null,
      bucketFrom: null,
      bucketTo: null,
    };
    await drizzle(c.env.DB).insert(experiments).values(row);
    await audit(c.env, row.id, "create", c.var.operator, now);
    return c.json(await view(c.env, row), 201);
  })
  .get("/", async (c) => {
    const rows = await drizzle(c.env.DB).select().from(experiments).orderBy(desc(experiments.createdAt));
    return c.json({ experiments: rows.map(summary) });
  })
  .get("/:id", async (c) => {
    const row = await getExperiment(c.env, c.req.param("id"));
    if (!row) return problemResponse(problem(404, `No experiment ${c.req.param("id")}`));
    return c.json(await view(c.env, row));
  })
  .post("/:id/:action{start|pause|stop|ship}", async (c) => {
    const action = c.req.param("action") as Action;
    const row = await getExperiment(c.env, c.req.param("id"));
    if (!row) return problemResponse(problem(404, `No experiment ${c.req.param("id")}`));
    const allowed: readonly ExperimentStatus[] = TRANSITIONS[action];
    if (!allowed.includes(row.status)) {
      return problemResponse(
        problem(409, `Experiment ${row.id} is ${row.status}; it can ${action} only when ${allowed.join(" or ")}`),
      );
    }
    const now = Date.now();
    const definition = definitionOf(row);
    let change: Partial<ExperimentRow>;
    let detail: unknown = null;
    if (action === "start") {
      change = { status: "running", startedAt: row.startedAt ?? now };
      if (row.bucketFrom === null) {
        const holders = await layerHolders(c.env, definition.layer, row.id);
        const range = allocateBuckets(
          holders.map((r) => [r.bucketFrom!, r.bucketTo!] as const),
          definition.traffic,
        );
        if (!range) return layerFull(definition.layer, holders, definition.traffic);
        change = { ...change, bucketFrom: range[0], bucketTo: range[1] };
        detail = { buckets: range };
      }
    } else if (action === "pause") {
      change = { status: "paused" };
    } else if (action === "stop") {
      change = { status: "stopped", stoppedAt: now };
    } else {
      const body = ShipBody.safeParse(await c.req.json().catch(() => undefined));
      const names = definition.variants.map((v) => v.name);
      const variant = body.success ? definition.variants.find((v) => v.name === body.data.variant) : undefined;
      if (!variant) {
        return problemResponse(
          problem(400, `Body must be {"variant": ...} naming one of ${names.join(", ")}`, {
            errors: [{ path: "variant", message: `must be one of ${names.join(", ")}` }],
          }),
        );
      }
      const version = variant.modelVersion ? await getVersion(c.env, variant.modelVersion) : undefined;
      if (variant.modelVersion && version?.status !== "published") {
        return problemResponse(
          problem(422, `Variant ${variant.name}'s model version ${variant.modelVersion} is no longer published`, {
            errors: [{ path: "variant", message: `its model version is ${version?.status ?? "gone"}` }],
          }),
        );
      }
      change = { status: "shipped", stoppedAt: row.stoppedAt ?? now, shippedVariant: variant.name };
      detail = {
        variant: variant.name,
        modelVersion: variant.modelVersion ?? null,
        overrides: variant.overrides ?? {},
      };
    }
    await drizzle(c.env.DB).batch([
      drizzle(c.env.DB).update(experiments).set(change).where(eq(experiments.id, row.id)),
      audit(c.env, row.id, action, c.var.operator, now, detail),
    ]);
    // A shipped model version goes live through the promotion every version takes (which writes the live set with it).
    const shippedVersion = action === "ship" ? (detail as { modelVersion: string | null }).modelVersion : null;
    const promoted = shippedVersion ? await promote(c.env, shippedVersion, now) : null;
    if (promoted && !promoted.ok) return problemResponse(problem(promoted.status, promoted.detail));
    if (!promoted) await publishLiveSet(c.env);
    return c.json(await view(c.env, { ...row, ...change }));
  });
