import { env, exports } from "cloudflare:workers";
import { inspectRoutes } from "hono/dev";
import { expect } from "vitest";
import { pseudonymize } from "../../shared/identity";
import { app } from "../../workers/edge/app";
import { ROLES, type Role } from "../../shared/auth/api-key";
import { signListenerToken } from "../../workers/edge/auth/listener-token";
import { storeApiKey } from "../api-keys";

export { storeApiKey };

export const edge = (path: string, init?: RequestInit) => exports.default.fetch(`http://edge${path}`, init);

export const TEST_KEYS = { client: "test-client-key", speaker: "test-speaker-key", operator: "test-operator-key" };
// Each test file starts with an empty D1 of its own.
for (const [role, key] of Object.entries(TEST_KEYS)) await storeApiKey(key, role as Role);

export const tokenFor = (listenerId: string, ttlSeconds = 600) =>
  signListenerToken(env, listenerId, ttlSeconds);

/** Headers of an app with a key of `role` acting for a signed-in listener. */
export async function asListener(listenerId: string, role: Role = "client"): Promise<Record<string, string>> {
  return { "x-api-key": TEST_KEYS[role], authorization: `Bearer ${await tokenFor(listenerId)}` };
}

export const asOperator = { "x-api-key": TEST_KEYS.operator };
export const asClient = { "x-api-key": TEST_KEYS.client };

/** A JSON request with the given headers. */
export const jsonBody = (method: string, body: unknown, headers: Record<string, string>): RequestInit => ({
  method,
  headers: { ...headers, "content-type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * Who may call each route. The auth walk and the fuzzer fail for a route missing here, so a new
 * route cannot go out without a decision about who may call it.
 */
export type Access = { public: true } | { roles: Role[]; listener: boolean };
export const ACCESS: Record<string, Access> = {
  "GET /health": { public: true },
  "GET /v1/me/recommendations": { roles: ["client"], listener: true },
  "GET /v1/me/now-playing": { roles: ["client"], listener: true },
  "GET /v1/me/consent": { roles: ["client"], listener: true },
  "PUT /v1/me/consent": { roles: ["client"], listener: true },
  "GET /v1/me/export": { roles: ["client"], listener: true },
  "DELETE /v1/me": { roles: ["client"], listener: true },
  "POST /v1/events": { roles: ["client"], listener: true },
  "POST /v1/me/onboarding": { roles: ["client"], listener: true },
  "GET /v1/tracks/:id": { roles: [...ROLES], listener: false },
  "GET /v1/tracks/:id/similar": { roles: [...ROLES], listener: false },
  "GET /v1/charts/top": { roles: [...ROLES], listener: false },
  "GET /v1/speaker/next": { roles: ["speaker"], listener: true },
  "ALL /admin/*": { roles: ["operator"], listener: false },
};

/** Every route of the edge app as "METHOD path" (middleware entries are not routes). */
export function appRoutes(): string[] {
  const routes = inspectRoutes(app).filter((r) => !r.isMiddleware);
  return [...new Set(routes.map((r) => `${r.method} ${r.path}`))].sort();
}

/** An RFC 9457 problem details answer with `status`, naming `field` among its errors when given. */
export async function expectProblem(res: Response, status: number, field?: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = JSON.parse(text) as { status: number; detail: string; errors?: { path: string; message: string }[] };
  expect(body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  if (field) expect(body.errors?.map((e) => e.path)).toContain(field);
  return body;
}

export async function json<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body) as T;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const pseudonymOf = (rawId: string) => pseudonymize(env.LISTENER_ID_KEY, rawId);

export interface ModelsView {
  current: { version: string } | null;
  versions: { version: string; status: string }[];
}

/** Seeds the demo data through the operator route and waits for the first model to go live. */
export async function seedAndPublish(): Promise<string> {
  await edge("/admin/seed", { method: "POST", headers: asOperator });
  const models = await waitFor(
    "first model",
    async () => (await json<ModelsView>(await edge("/admin/models", { headers: asOperator }))).current,
  );
  return models.version;
}

export async function retrainAndPublish(): Promise<string> {
  const { version } = await json<{ version: string }>(
    await edge("/admin/retrain", { method: "POST", headers: asOperator }),
    202,
  );
  await waitFor(
    `model ${version}`,
    async () =>
      (await json<ModelsView>(await edge("/admin/models", { headers: asOperator }))).current?.version === version,
  );
  return version;
}

export interface RecommendationsView {
  modelVersion: string | null;
  source: string;
  items: {
    id: string;
    title: string;
    artist: { id: string; name: string };
    genre: string;
    reason: { code: string; text: string };
    exploration: boolean;
  }[];
}
