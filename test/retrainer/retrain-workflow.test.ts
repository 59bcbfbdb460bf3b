import { env, introspectWorkflow } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { admin } from "./operator";
import { versionView } from "./retrain-runs";

const FIRST_STEP = { name: "read training data for the holdout twin" };

interface Problem {
  status: number;
  detail: string;
  running?: string;
}

/**
 * The run's lifecycle around its steps: no training data is needed, since the first step is made to fail
 * (mockStepError), which skips its work.
 */
describe("the retrain Workflow's runs", () => {
  it("runs one retrain at a time; a stuck one is reported and an operator cancels it", async () => {
    await using introspector = await introspectWorkflow(env.RETRAIN);
    // Failing with the retry delays kept: the run waits out its backoff, still building.
    await introspector.modifyAll(async (m) => m.mockStepError(FIRST_STEP, new Error("D1 is unreachable")));
    const started = await admin("/retrain", { method: "POST" });
    expect(started.status).toBe(202);
    const { version } = (await started.json()) as { version: string };

    const second = await admin("/retrain", { method: "POST" });
    expect(second.status).toBe(409);
    expect(second.headers.get("content-type")).toBe("application/problem+json");
    const refused = (await second.json()) as Problem;
    expect(refused.running).toBe(version);
    expect(refused.detail).toContain(`POST /admin/models/${version}/cancel`);

    expect((await versionView(version)).run?.status).not.toBe("stuck");
    // Its current step began longer ago than RETRAIN_STUCK_AFTER_MS.
    await env.DB.prepare("UPDATE model_versions SET progress_at = 0 WHERE version = ?").bind(version).run();
    const stuck = await versionView(version);
    expect(stuck).toMatchObject({ status: "building", run: { status: "stuck" } });
    const listed = (await (await admin("/models")).json()) as { versions: { version: string; run?: unknown }[] };
    expect(listed.versions.find((v) => v.version === version)?.run).toMatchObject({ status: "stuck" });

    const cancelled = await admin(`/models/${version}/cancel`, { method: "POST" });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({
      status: "failed",
      failure: expect.stringContaining("cancelled by operator"),
      run: { status: "terminated" },
    });
    expect((await admin(`/models/${version}/cancel`, { method: "POST" })).status).toBe(409);
    expect((await admin("/models/v20990101000000-abcdef/cancel", { method: "POST" })).status).toBe(404);
  });

  it("a step that exhausts its retries fails the version, with the error in GET /admin/models/{version}", async () => {
    await using introspector = await introspectWorkflow(env.RETRAIN);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.mockStepError(FIRST_STEP, new Error("RangeError: Maximum call stack size exceeded"));
    });
    const started = await admin("/retrain", { method: "POST" });
    expect(started.status).toBe(202);
    const { version } = (await started.json()) as { version: string };
    const [instance] = await introspector.get();
    await instance!.waitForStatus("errored");

    expect(await versionView(version)).toMatchObject({
      status: "failed",
      failure: "RangeError: Maximum call stack size exceeded",
      run: { status: "errored", error: "RangeError: Maximum call stack size exceeded" },
    });
    // With nothing building, the next retrain may start.
    const next = await admin("/retrain", { method: "POST" });
    expect(next.status).toBe(202);
  });
});
