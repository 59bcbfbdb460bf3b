import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runInBatches } from "../../shared/db/bulk";
import { DEMO_NOW, generateDemoCatalog, generateDemoListeners } from "../../shared/demo";
import { demoStatements } from "../../workers/retrainer/seed";
import { newVersionId } from "../../workers/retrainer/versions";
import { admin as operator } from "./operator";

const admin = (path: string, method = "GET") => operator(path, { method });
const hour = 3600_000;

/** A version row as startRetrain writes it, whose job chain is then lost: no job is queued. */
async function building(createdAt: number, progressAt: number | null = null): Promise<string> {
  const version = newVersionId(createdAt);
  await env.DB.prepare(
    "INSERT INTO model_versions (version, algorithm, status, trigger, created_at, progress_at) VALUES (?, 'pending', 'building', 'test', ?, ?)",
  )
    .bind(version, createdAt, progressAt)
    .run();
  return version;
}

const row = async (version: string) =>
  (await (await admin(`/models/${version}`)).json()) as {
    status: string;
    failure: string | null;
    progressAt: number | null;
  };

describe("a retrain whose job chain was lost", () => {
  it("is marked failed with the reason once it has made no progress for longer than any job takes", async () => {
    const now = Date.now();
    const lost = await building(now - 3 * hour);
    const lostMidway = await building(now - 5 * hour, now - 3 * hour);
    const running = await building(now - 3 * hour, now - 60_000);

    const swept = (await (await admin("/models/sweep", "POST")).json()) as { failed: { version: string }[] };
    expect(swept.failed.map((f) => f.version).sort()).toEqual([lost, lostMidway].sort());
    expect(await row(lost)).toMatchObject({ status: "failed", failure: expect.stringContaining("job chain was lost") });
    expect((await row(running)).status).toBe("building");
    // It never goes live: an operator cannot promote it either.
    expect((await admin(`/models/${lost}/promote`, "POST")).status).toBe(409);
    // A second sweep finds nothing more to do.
    expect(await (await admin("/models/sweep", "POST")).json()).toEqual({ failed: [] });

    // After a restart of the local runtime, everything that was building before it counts as lost.
    const swept2 = (await (await admin(`/models/sweep?stalledBefore=${Date.now()}`, "POST")).json()) as {
      failed: { version: string }[];
    };
    expect(swept2.failed.map((f) => f.version)).toEqual([running]);
  });

  it("ignores a late job of a version marked failed", async () => {
    // Listening to train on, so a train job that ran would leave its trainer's state in KV.
    const catalog = generateDemoCatalog(4);
    const trimmed = { artists: catalog.artists, tracks: catalog.tracks.slice(0, 300) };
    const demo = generateDemoListeners(trimmed, { seed: 4, count: 20, now: DEMO_NOW });
    await runInBatches(
      env.DB,
      demoStatements(env.DB, trimmed, demo, (id) => id),
    );
    const failed = await building(Date.now() - 3 * hour);
    await admin("/models/sweep", "POST");
    // A publish job of another building version runs after it (one job at a time, in order): the sentinel.
    const sentinel = await building(Date.now());
    await env.JOBS.sendBatch([
      { body: { kind: "train", version: failed }, contentType: "json" },
      { body: { kind: "publish", version: sentinel, part: "part-0" }, contentType: "json" },
    ]);
    for (let i = 0; i < 600 && (await row(sentinel)).progressAt === null; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await row(sentinel)).progressAt).not.toBeNull();
    expect(await row(failed)).toMatchObject({ status: "failed", progressAt: null });
    expect((await env.MODELS.list({ prefix: `model:${failed}:` })).keys).toEqual([]);
  });
});
