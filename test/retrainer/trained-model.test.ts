import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { trainedModelKey, type TrainedModelManifest } from "../../shared/lake/offline-model";
import { admin } from "./operator";

/** A manifest as train:offline sends it; its figures do not matter to what is checked here. */
const manifest = (listeners = ["l_a", "l_b"]): TrainedModelManifest => ({
  lakeReadAt: Date.now() - 60_000,
  index: { listeners, items: ["t1", "t2", "t3"] },
  trainer: {
    phase: 9,
    cursor: 0,
    blend: { weights: { als: 1, itemKnn: 1, listenerKnn: 0, content: 0 }, exposurePenalty: 0 },
    shape: {
      ...{ listeners: listeners.length, items: 3, interactions: 4, withContent: false, withTaggers: false },
      ...{ withListenerKnn: true, catalogSize: 3, warmStart: true, tunesBlend: false },
    },
    stored: ["factors.item", "signed.indptr"],
  },
  arrays: {
    "factors.item": { type: "Float32Array", length: 3, parts: 1 },
    "signed.indptr": { type: "Int32Array", length: 3, parts: 1 },
  },
  holdout: {
    report: { listeners: 2, recall: 0.5, ndcg: 0.4, hitRate: 0.5, coverage: 1, meanPopularity: 1, longTailShare: 0 },
    blendWeights: { als: 1 },
    listeners: [{ listener: "l_a", ndcg: 0.4, recall: 0.5 }],
  },
});

const post = (path: string, body?: unknown) =>
  admin(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("a model trained outside Workers", () => {
  it("is refused as a problem when its manifest breaks the contract", async () => {
    expect((await post("/models/offline", { index: {} })).status).toBe(400);
    const { "signed.indptr": _, ...partly } = manifest().arrays;
    expect((await post("/models/offline", { ...manifest(), arrays: partly })).status).toBe(400);
    const split = { ...manifest().arrays, "signed.indptr": { type: "Int32Array", length: 3, parts: 2 } };
    expect((await post("/models/offline", { ...manifest(), arrays: split })).status).toBe(400);
    await env.DB.prepare(
      "INSERT INTO listeners (id, region, created_at, consent_personalization, consent_analytics) VALUES ('l_no', NULL, 0, 0, 1)",
    ).run();
    const res = await post("/models/offline", manifest(["l_a", "l_no"]));
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ detail: "The model learned from 1 listeners who withdrew consent" });
  });

  it("registers a version as of the lake's read, and takes only the parts its manifest names, whole", async () => {
    const sent = manifest();
    const res = await post("/models/offline", sent);
    expect(res.status).toBe(201);
    const { version, arrays } = await res.json<{ version: string; arrays: string[] }>();
    expect(arrays).toEqual(sent.trainer.stored);
    expect(await (await admin(`/models/${version}`)).json()).toMatchObject({
      status: "building",
      trigger: "offline",
      createdAt: sent.lakeReadAt,
    });
    const put = (path: string, bytes: number) =>
      admin(`/models/offline/${version}/arrays/${path}`, { method: "PUT", body: new Uint8Array(bytes) });
    expect((await put("factors.item/0", 8)).status).toBe(422);
    expect((await put("factors.other/0", 12)).status).toBe(404);
    expect((await put("factors.item/1", 12)).status).toBe(404);
    expect((await put("factors.item/first", 12)).status).toBe(400);
    expect(await (await put("factors.item/0", 12)).json()).toEqual({ name: "factors.item", part: 0, bytes: 12 });
    const early = await post(`/models/offline/${version}/publish`);
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ detail: "Parts not uploaded yet: signed.indptr/0" });
    expect((await post(`/models/offline/v20260101000000-abcdef/publish`)).status).toBe(404);

    // Never published: an operator cancels it, and its upload (whose manifest names listeners) goes with it.
    const upload = { prefix: trainedModelKey.prefix(version) };
    expect((await env.ARTIFACTS.list(upload)).objects).toHaveLength(2);
    expect((await post(`/models/${version}/cancel`)).status).toBe(200);
    expect(await (await admin(`/models/${version}`)).json()).toMatchObject({ status: "failed" });
    expect((await env.ARTIFACTS.list(upload)).objects).toEqual([]);
  });
});
