import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { meteredBindings, takeOperations } from "../../workers/retrainer/retrain/binding-meter";

it("counts a step's KV and R2 calls by method, multipart parts included, and starts again at each take", async () => {
  const metered = meteredBindings(env);
  await metered.MODELS.put("meter:a", "1");
  expect(await metered.MODELS.get("meter:a")).toBe("1");
  await metered.ARTIFACTS.put("meter/a", "x");
  expect(await (await metered.ARTIFACTS.get("meter/a"))!.text()).toBe("x");
  const upload = await metered.ARTIFACTS.createMultipartUpload("meter/b");
  const part = await upload.uploadPart(1, "y".repeat(16));
  await upload.complete([part]);
  await metered.LAKE.head("meter/none");
  expect(takeOperations(metered)).toEqual({
    "kv.put": 1,
    "kv.get": 1,
    "r2.put": 1,
    "r2.get": 1,
    "r2.createMultipartUpload": 1,
    "r2.uploadPart": 1,
    "r2.complete": 1,
    "r2.head": 1,
  });
  // The calls went through to the stores, and the count starts again; the plain env counts nothing.
  expect(await (await env.ARTIFACTS.get("meter/b"))!.text()).toBe("y".repeat(16));
  await metered.MODELS.delete("meter:a");
  expect(takeOperations(metered)).toEqual({ "kv.delete": 1 });
  expect(takeOperations(env)).toEqual({});
});
