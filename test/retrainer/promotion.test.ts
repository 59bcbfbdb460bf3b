import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { runInBatches } from "../../shared/db/bulk";
import { generateDemoCatalog, generateDemoListeners } from "../../shared/demo";
import { artifactKey } from "../../shared/publish/artifacts";
import { demoStatements } from "../../workers/retrainer/seed";
import { admin as operator } from "./operator";
import { keysLeftAfterDiscard } from "./trainer-keys";

const admin = (path: string, method = "GET") => operator(path, { method });

interface VersionRow {
  version: string;
  status: string;
  metrics: { holdout: { ndcg: number; recall: number }; promotion?: { promote: boolean; reason: string } };
}

async function retrain(): Promise<VersionRow> {
  const { version } = (await (await admin("/retrain", "POST")).json()) as { version: string };
  for (let i = 0; i < 600; i++) {
    const row = (await (await admin(`/models/${version}`)).json()) as VersionRow;
    if (row.status !== "building") return row;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`version ${version} never finished`);
}

const live = async () =>
  ((await (await admin("/models")).json()) as { current: { version: string } | null }).current?.version;

describe("model promotion", () => {
  beforeAll(async () => {
    const catalog = generateDemoCatalog(2);
    const now = Date.now();
    const demo = generateDemoListeners(catalog, { seed: 2, count: 120, now });
    const trimmed = { artists: catalog.artists, tracks: catalog.tracks.slice(0, 1500) };
    const inCatalog = new Set(trimmed.tracks.map((t) => t.id));
    const listening = { ...demo, events: demo.events.filter((e) => inCatalog.has(e.trackId)) };
    await runInBatches(
      env.DB,
      demoStatements(env.DB, trimmed, listening, (id) => id),
    );
  });

  it("publishes the first version with its holdout figures", async () => {
    const first = await retrain();
    expect(first.status).toBe("published");
    expect(first.metrics.holdout.ndcg).toBeGreaterThan(0);
    expect(first.metrics.promotion).toMatchObject({ promote: true });
    expect(await live()).toBe(first.version);
    // The trainers' states and arrays are let go once the version is written.
    expect(await keysLeftAfterDiscard(artifactKey.staging(first.version, ""))).toEqual([]);
  });

  it("keeps a version that is worse on the holdout out, until an operator promotes it; rollback returns", async () => {
    const liveVersion = (await live())!;
    // Make the live version look far better than anything the same data can produce.
    await env.DB.prepare(
      "UPDATE model_versions SET metrics = json_set(metrics, '$.holdout.ndcg', 0.99, '$.holdout.recall', 0.99) WHERE version = ?",
    )
      .bind(liveVersion)
      .run();

    const challenger = await retrain();
    expect(challenger.status).toBe("rejected");
    expect(challenger.metrics.promotion?.reason).toMatch(/worse than the live version/);
    expect(await live()).toBe(liveVersion);

    expect((await admin(`/models/${challenger.version}/promote`, "POST")).status).toBe(200);
    expect(await live()).toBe(challenger.version);
    expect((await admin("/models/rollback", "POST")).status).toBe(200);
    expect(await live()).toBe(liveVersion);
    expect((await admin("/models/v20990101000000-abcdef/promote", "POST")).status).toBe(404);
  });
});
