import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parseRecommendationId, parseVariantLabel } from "../../shared/analytics/attribution";
import {
  asListener,
  asOperator,
  edge,
  expectProblem,
  json,
  jsonBody,
  objectStorage,
  pseudonymOf,
  retrainAndPublish,
  seedAndPublish,
  sessionStub,
  waitFor,
} from "./helpers";

interface ExperimentView {
  id: string;
  status: string;
  buckets: [number, number] | null;
  shippedVariant: string | null;
  audit: { action: string; actor: string; detail: unknown }[];
}

const definition = (extra: Record<string, unknown> = {}) => ({
  name: "Popularity-only against the model",
  hypothesis: "The published model's picks are skipped less than the charts",
  variants: [
    { name: "model", share: 0.5 },
    { name: "popular", share: 0.5, overrides: { candidateSources: ["chart"], explorationShare: 0 } },
  ],
  primaryMetric: "skipRate",
  guardrails: [{ metric: "p99Latency", tolerance: 0.2 }],
  minimumDetectableEffect: 0.05,
  ...extra,
});

const create = async (body: unknown, status = 201) =>
  json<ExperimentView>(await edge("/admin/experiments", jsonBody("POST", body, asOperator)), status);
const act = (id: string, action: string, body?: unknown) =>
  edge(`/admin/experiments/${id}/${action}`, jsonBody("POST", body ?? {}, asOperator));

interface Answer {
  recommendationId: string;
  modelVersion: string | null;
  source: string;
  items: { id: string }[];
}
const recommendations = async (listener: string) =>
  json<Answer>(await edge("/v1/me/recommendations?limit=10", { headers: await asListener(listener) }));
/** The variant of `experimentId` an answer was served under, or null. */
const variantIn = (answer: { recommendationId: string }, experimentId: string) =>
  parseVariantLabel(parseRecommendationId(answer.recommendationId)!.variant).find(
    (v) => v.experimentId === experimentId,
  )?.variant ?? null;

async function exposuresOf(experimentId: string) {
  const { results } = await env.DB.prepare(
    "SELECT listener_id AS listener, variant, exposed_at AS exposedAt FROM experiment_exposures WHERE experiment_id = ?",
  )
    .bind(experimentId)
    .all<{ listener: string; variant: string; exposedAt: number }>();
  return results;
}

describe("experiments", () => {
  let firstVersion: string;
  beforeAll(async () => {
    firstVersion = await seedAndPublish();
  }, 300_000);

  it("go from draft through start, pause, stop and ship, each change in the audit trail under the operator's key name", async () => {
    const created = await create(definition({ layer: "lifecycle", traffic: 0.3 }));
    expect(created).toMatchObject({
      status: "draft",
      buckets: null,
      audit: [{ action: "create", actor: "test operator" }],
    });
    const { id } = created;
    expect(
      (await json<{ experiments: { id: string }[] }>(await edge("/admin/experiments", { headers: asOperator })))
        .experiments,
    ).toContainEqual(expect.objectContaining({ id, status: "draft" }));

    // Invalid transitions name the status they met.
    expect((await expectProblem(await act(id, "pause"), 409)).detail).toContain("draft");
    expect((await json<ExperimentView>(await act(id, "start"))).buckets).toEqual([0, 3000]);
    expect((await expectProblem(await act(id, "start"), 409)).detail).toContain("running");
    expect((await json<ExperimentView>(await act(id, "pause"))).status).toBe("paused");
    // Resumed, it keeps its buckets: its listeners stay its own.
    expect(await json<ExperimentView>(await act(id, "start"))).toMatchObject({ status: "running", buckets: [0, 3000] });
    expect((await json<ExperimentView>(await act(id, "stop"))).status).toBe("stopped");
    expect((await expectProblem(await act(id, "start"), 409)).detail).toContain("stopped");
    await expectProblem(await act(id, "ship", { variant: "nope" }), 400, "variant");
    const shipped = await json<ExperimentView>(await act(id, "ship", { variant: "model" }));
    expect(shipped).toMatchObject({ status: "shipped", shippedVariant: "model" });
    expect((await expectProblem(await act(id, "stop"), 409)).detail).toContain("shipped");

    const trail = (await json<ExperimentView>(await edge(`/admin/experiments/${id}`, { headers: asOperator }))).audit;
    expect(trail.map((a) => a.action)).toEqual(["create", "start", "pause", "start", "stop", "ship"]);
    expect(new Set(trail.map((a) => a.actor))).toEqual(new Set(["test operator"]));
    expect(trail.at(-1)!.detail).toMatchObject({ variant: "model" });
  });

  it("refuse a bad definition (400), an unpublished model version (422), an unknown experiment (404) and a full layer (409)", async () => {
    const shares = definition({
      variants: [
        { name: "a", share: 0.5 },
        { name: "b", share: 0.4 },
      ],
    });
    await expectProblem(await edge("/admin/experiments", jsonBody("POST", shares, asOperator)), 400, "variants");
    const { primaryMetric: _, ...noMetric } = definition();
    await expectProblem(await edge("/admin/experiments", jsonBody("POST", noMetric, asOperator)), 400, "primaryMetric");
    const surface = definition({ targeting: { surfaces: ["radio"] } });
    await expectProblem(
      await edge("/admin/experiments", jsonBody("POST", surface, asOperator)),
      400,
      "targeting.surfaces.0",
    );
    const unpublished = definition({
      variants: [
        { name: "a", share: 0.5 },
        { name: "b", share: 0.5, modelVersion: "v20990101000000-abcdef" },
      ],
    });
    await expectProblem(
      await edge("/admin/experiments", jsonBody("POST", unpublished, asOperator)),
      422,
      "variants.1.modelVersion",
    );
    await expectProblem(await edge("/admin/experiments/x00000000", { headers: asOperator }), 404);
    await expectProblem(await act("x00000000", "start"), 404);

    const first = await create(definition({ layer: "crowded", traffic: 0.6 }));
    await json(await act(first.id, "start"));
    const refused = await expectProblem(
      await edge("/admin/experiments", jsonBody("POST", definition({ layer: "crowded", traffic: 0.5 }), asOperator)),
      409,
      "traffic",
    );
    expect(refused.detail).toContain(first.id);
    // Another layer has room of its own.
    await create(definition({ layer: "elsewhere", traffic: 0.5 }));
    await json(await act(first.id, "stop"));
  });

  it("assign listeners sticky to a variant whose overrides change the answer, and log exposures only for answers served", async () => {
    const { id } = await create(definition());
    const listeners = Array.from({ length: 16 }, (_, i) => `demo-${i + 1}`);
    // Before the start, no answer is in the experiment.
    expect(variantIn(await recommendations(listeners[0]!), id)).toBeNull();
    await json(await act(id, "start"));
    // Asked first on a surface the experiment does not target, the listener is served outside it.
    const elsewhere = await json<{ recommendationId: string }>(
      await edge("/v1/speaker/next", { headers: await asListener(listeners[0]!, "speaker") }),
    );
    expect(variantIn(elsewhere, id)).toBeNull();
    const firstVariantAnswer = Date.now();

    // The start is seen at once, by the very next request.
    const answers = new Map<string, Answer>();
    for (const listener of listeners) answers.set(listener, await recommendations(listener));
    const variants = new Map([...answers].map(([l, a]) => [l, variantIn(a, id)]));
    expect(new Set(variants.values())).toEqual(new Set(["model", "popular"]));

    const chart = await json<{ items: { id: string }[] }>(
      await edge("/v1/charts/top?limit=50", { headers: await asListener("demo-1") }),
    );
    const chartIds = new Set(chart.items.map((t) => t.id));
    for (const [listener, answer] of answers) {
      if (variants.get(listener) === "popular") {
        // Popularity only: the chart's tracks and nothing else.
        expect(answer.source).toBe("charts");
        expect(answer.items.length).toBeGreaterThan(0);
        expect(
          answer.items.every((t) => chartIds.has(t.id)),
          listener,
        ).toBe(true);
      } else {
        expect(answer.source).toBe("model");
      }
    }

    // Sticky: the same variant on the next request, and after the session object is evicted.
    const listener = listeners.find((l) => variants.get(l) === "popular")!;
    await evictDurableObject(sessionStub(await pseudonymOf(listener)));
    expect(variantIn(await recommendations(listener), id)).toBe("popular");

    // Every listener served reaches D1 once, with their variant and the first serving time.
    const served = new Map(
      await Promise.all(listeners.map(async (l) => [await pseudonymOf(l), variants.get(l)!] as const)),
    );
    const exposures = await waitFor("exposures in D1", async () => {
      const rows = await exposuresOf(id);
      return rows.length === served.size && rows;
    });
    for (const row of exposures) expect(row.variant).toBe(served.get(row.listener));
    // The session object logged it first, and keeps it (exported and erased with the listener).
    const pseudonym = await pseudonymOf(listener);
    const { tables } = await objectStorage(sessionStub(pseudonym));
    expect(tables.experiment_exposures).toEqual([
      { experiment_id: id, variant: "popular", exposed_at: exposures.find((r) => r.listener === pseudonym)!.exposedAt },
    ]);
    // Exposed when the variant's answer was served, not by the answer before it.
    const first = await pseudonymOf(listeners[0]!);
    expect(exposures.find((r) => r.listener === first)!.exposedAt).toBeGreaterThanOrEqual(firstVariantAnswer);

    // Each variant's serving times, as a histogram from which its p99 is read.
    const answersOf = (variant: string) => [...variants.values()].filter((v) => v === variant).length;
    await waitFor("serving times in D1", async () => {
      const { results } = await env.DB.prepare(
        "SELECT variant, sum(count) AS answers FROM experiment_latency WHERE experiment_id = ? GROUP BY variant",
      )
        .bind(id)
        .all<{ variant: string; answers: number }>();
      const counts = Object.fromEntries(results.map((r) => [r.variant, r.answers]));
      return counts.model === answersOf("model") && counts.popular === answersOf("popular") + 1;
    });

    // Stopped, the listeners are served outside it again, and none of them is exposed anew.
    await json(await act(id, "stop"));
    expect(variantIn(await recommendations(listener), id)).toBeNull();
  });

  it("target new listeners: first seen at or after the start, which a seeded listener is not", async () => {
    const { id } = await create(
      definition({ layer: "newcomers", targeting: { listeners: "new", surfaces: ["recommendations"] } }),
    );
    await json(await act(id, "start"));
    const newcomers = Array.from({ length: 6 }, (_, i) => `newcomer-${i}`);
    for (const listener of newcomers) expect(variantIn(await recommendations(listener), id), listener).not.toBeNull();
    for (const listener of ["demo-200", "demo-201", "demo-202"])
      expect(variantIn(await recommendations(listener), id), listener).toBeNull();
    // Known once, the time a listener was first seen is kept by their session object.
    const { tables } = await objectStorage(sessionStub(await pseudonymOf("demo-200")));
    expect(tables.first_seen).toHaveLength(1);
    await json(await act(id, "stop"));
  });

  it("serve a variant's model version, and ship it: its version goes live and its overrides become the default", async () => {
    const live = await retrainAndPublish();
    const { id } = await create(
      definition({
        layer: "models",
        variants: [
          { name: "live", share: 0.5 },
          { name: "older", share: 0.5, modelVersion: firstVersion, overrides: { candidateSources: ["chart"] } },
        ],
      }),
    );
    await json(await act(id, "start"));
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => recommendations(`demo-${100 + i}`)));
    for (const answer of answers) {
      const variant = variantIn(answer, id);
      expect(answer.modelVersion).toBe(variant === "older" ? firstVersion : live);
      expect(parseRecommendationId(answer.recommendationId)!.modelVersion).toBe(answer.modelVersion);
    }
    expect(new Set(answers.map((a) => variantIn(a, id)))).toEqual(new Set(["live", "older"]));

    await json(await act(id, "ship", { variant: "older" }));
    const models = await json<{ current: { version: string } }>(await edge("/admin/models", { headers: asOperator }));
    expect(models.current.version).toBe(firstVersion);
    // Outside any experiment now, every listener gets the shipped overrides: the charts only.
    const after = await recommendations("demo-100");
    expect(after).toMatchObject({ modelVersion: firstVersion, source: "charts" });
    expect(parseRecommendationId(after.recommendationId)!.variant).toBeNull();
  }, 300_000);
});
