import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CURRENT_MODEL_KEY } from "../../shared/publish/artifacts";
import { storeApiKey } from "../api-keys";
import { OPERATOR_KEY } from "./operator";

const CLIENT_KEY = "test-retrainer-client-key";
await storeApiKey(CLIENT_KEY, "client");

const VERSION = "v20260101000000-abcdef";
/** A published version that is not live: a rollback without the pointer's guard would switch to it. */
await env.DB.prepare(
  "INSERT OR IGNORE INTO model_versions (version, algorithm, status, trigger, created_at, published_at) VALUES (?, 'als', 'published', 'test', ?, ?)",
)
  .bind(VERSION, Date.now(), Date.now())
  .run();

const call = (path: string, method: string, key?: string) =>
  exports.default.fetch(`http://retrainer${path}`, { method, headers: key ? { "x-api-key": key } : {} });

async function problemOf(res: Response, status: number) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return JSON.parse(text) as { status: number; detail: string };
}

/** The retraining worker has no public URL, but it checks its callers itself rather than rely on that. */
describe("the retraining worker's own door", () => {
  it("refuses a caller without a key (401 with a challenge) and with a client key (403); the pointer stays", async () => {
    const anonymous = await call("/admin/models/rollback", "POST");
    expect((await problemOf(anonymous, 401)).detail).toMatch(/x-api-key/);
    expect(anonymous.headers.get("www-authenticate")).toBe('ApiKey realm="setlist"');
    await problemOf(await call("/admin/models/rollback", "POST", "not-a-key"), 401);
    expect((await problemOf(await call("/admin/models/rollback", "POST", CLIENT_KEY), 403)).detail).toMatch(/operator/);
    for (const path of ["/admin/models", "/admin/dlq", "/admin/no-such-route"]) {
      await problemOf(await call(path, "GET"), 401);
    }
    expect(await env.MODELS.get(CURRENT_MODEL_KEY)).toBeNull();
  });

  it("lets an operator key through", async () => {
    const models = await call("/admin/models", "GET", OPERATOR_KEY);
    expect(models.status).toBe(200);
    expect(((await models.json()) as { versions: { version: string }[] }).versions.map((v) => v.version)).toContain(
      VERSION,
    );
    const rollback = await call("/admin/models/rollback", "POST", OPERATOR_KEY);
    expect(await rollback.json()).toMatchObject({ current: { version: VERSION } });
  });
});
