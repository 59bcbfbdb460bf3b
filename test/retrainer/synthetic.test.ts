import { env, introspectWorkflow } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runPrefix } from "../../workers/retrainer/retrain/trainer-store";
import type { SyntheticRun } from "../../workers/retrainer/synthetic";
import { admin } from "./operator";
import { objectsUnder } from "./retrain-runs";

const ask = (body: unknown) =>
  admin("/synthetic-training", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("synthetic training runs", () => {
  it("trains in a Workflow of several slices, judges the model against popularity, and leaves no training state", async () => {
    await using introspector = await introspectWorkflow(env.SYNTHETIC_TRAINING);
    const size = { listeners: 1500, items: 500, interactions: 45_000, seed: 3 };
    const started = await ask(size);
    expect(started.status).toBe(202);
    const { run, status } = (await started.json()) as SyntheticRun;
    expect(status).toBe("training");

    const [instance] = await introspector.get();
    // A second slice means the run did not fit in one step: the trainer went through R2 between them.
    await instance!.waitForStepResult({ name: "train slice 1" });
    await instance!.waitForStatus("complete");
    const record = (await (await admin(`/synthetic-training/${run}`)).json()) as SyntheticRun;
    expect(record.status).toBe("trained");
    expect(record.size).toEqual(size);
    expect(record.finishedAt).toBeGreaterThanOrEqual(record.requestedAt);

    const { model, popularity } = record.evaluation!;
    // Every listener has 30 plays, so each one in the sample (every second listener) has items held out.
    expect(model.listeners).toBe(750);
    expect(popularity.listeners).toBe(750);
    // Taste groups are what the data has and popularity ignores.
    expect(model.ndcg).toBeGreaterThan(1.5 * popularity.ndcg);
    expect(model.recall).toBeGreaterThan(1.5 * popularity.recall);
    expect(model.coverage).toBeGreaterThan(5 * popularity.coverage);

    expect(await objectsUnder(runPrefix(run))).toEqual([]);
  });

  it("refuses sizes it cannot run, naming the field", async () => {
    for (const [body, field] of [
      [{ listeners: 100, items: 50, interactions: 99 }, "interactions"],
      [{ listeners: 100, items: 50, interactions: 6_000_000 }, "interactions"],
      [{ listeners: 0, items: 50, interactions: 100 }, "listeners"],
      [{ listeners: 100, items: 50, interactions: 100, shards: 3 }, ""],
    ] as const) {
      const res = await ask(body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const problem = (await res.json()) as { detail: string; errors: { path: string }[] };
      if (field) expect(problem.errors.map((e) => e.path)).toContain(field);
      else expect(problem.detail).toContain("shards");
    }
  });

  it("answers 404 for a run it does not know", async () => {
    const res = await admin("/synthetic-training/no-such-run");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
