import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { pseudonymize } from "../../shared/identity";

export const edge = (path: string, init?: RequestInit) => exports.default.fetch(`http://edge${path}`, init);

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
  await edge("/admin/seed", { method: "POST" });
  const models = await waitFor(
    "first model",
    async () => (await json<ModelsView>(await edge("/admin/models"))).current,
  );
  return models.version;
}

export async function retrainAndPublish(): Promise<string> {
  const { version } = await json<{ version: string }>(await edge("/admin/retrain", { method: "POST" }), 202);
  await waitFor(
    `model ${version}`,
    async () => (await json<ModelsView>(await edge("/admin/models"))).current?.version === version,
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
