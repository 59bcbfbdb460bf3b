import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { inspectRoutes } from "hono/dev";
import { expect } from "vitest";
import { pseudonymize } from "../../shared/identity";
import { periodOf, refreshOf, type FrozenPlaylist } from "../../shared/playlists";
import { app } from "../../workers/edge/app";
import { ROLES, type Role } from "../../shared/auth/api-key";
import { signListenerToken } from "../../workers/edge/auth/listener-token";
import { storeApiKey } from "../api-keys";

export { storeApiKey };

export const edge = (path: string, init?: RequestInit) => exports.default.fetch(`http://edge${path}`, init);

export const TEST_KEYS = { client: "test-client-key", speaker: "test-speaker-key", operator: "test-operator-key" };
// Each test file starts with an empty D1 of its own.
for (const [role, key] of Object.entries(TEST_KEYS)) await storeApiKey(key, role as Role);

export const tokenFor = (listenerId: string, ttlSeconds = 600) => signListenerToken(env, listenerId, ttlSeconds);

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
export type Access =
  | { public: true }
  | { roles: Role[]; listener: boolean }
  /**
   * Called by a platform that sends no API key but signs its requests: the signature is the door
   * (any request without a valid one is a 400), and the listener token comes inside the body.
   */
  | { signed: "alexa" };
export const ACCESS: Record<string, Access> = {
  "GET /health": { public: true },
  "GET /openapi.json": { public: true },
  "GET /docs": { public: true },
  "GET /docs/assets/:file": { public: true },
  "GET /dashboard": { public: true },
  "GET /dashboard/assets/:file": { public: true },
  "GET /dashboard/app.js": { roles: ["operator"], listener: false },
  "GET /v1/me/recommendations": { roles: ["client"], listener: true },
  "GET /v1/me/now-playing": { roles: ["client"], listener: true },
  "GET /v1/me/consent": { roles: ["client"], listener: true },
  "PUT /v1/me/consent": { roles: ["client"], listener: true },
  "GET /v1/me/export": { roles: ["client"], listener: true },
  "DELETE /v1/me": { roles: ["client"], listener: true },
  "POST /v1/events": { roles: ["client"], listener: true },
  "POST /v1/me/onboarding": { roles: ["client"], listener: true },
  "GET /v1/me/playlists": { roles: ["client"], listener: true },
  "POST /v1/me/playlists": { roles: ["client"], listener: true },
  "GET /v1/me/playlists/:id": { roles: ["client"], listener: true },
  "PATCH /v1/me/playlists/:id": { roles: ["client"], listener: true },
  "DELETE /v1/me/playlists/:id": { roles: ["client"], listener: true },
  "POST /v1/me/playlists/:id/tracks": { roles: ["client"], listener: true },
  "DELETE /v1/me/playlists/:id/tracks": { roles: ["client"], listener: true },
  "PUT /v1/me/playlists/:id/tracks": { roles: ["client"], listener: true },
  "GET /v1/me/playlists/:id/shuffle": { roles: ["client"], listener: true },
  "GET /v1/me/following": { roles: ["client"], listener: true },
  "PUT /v1/me/following/:artistId": { roles: ["client"], listener: true },
  "DELETE /v1/me/following/:artistId": { roles: ["client"], listener: true },
  "GET /v1/me/radio": { roles: ["client"], listener: true },
  "GET /v1/tracks/:id": { roles: [...ROLES], listener: false },
  "GET /v1/tracks/:id/similar": { roles: [...ROLES], listener: false },
  "GET /v1/charts/top": { roles: [...ROLES], listener: false },
  "GET /v1/speaker/next": { roles: ["speaker"], listener: true },
  "POST /v1/speaker/alexa": { signed: "alexa" },
  "POST /admin/listeners/lookup": { roles: ["operator"], listener: false },
  "POST /admin/listeners/consent": { roles: ["operator"], listener: false },
  "POST /admin/listeners/export": { roles: ["operator"], listener: false },
  "POST /admin/listeners/erase": { roles: ["operator"], listener: false },
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

/** An answer without its recommendation id, which is new on every answer: so two answers of one list compare equal. */
export function withoutRecommendationId<T extends object>(answer: T): Omit<T, "recommendationId"> {
  const { recommendationId: _, ...rest } = answer as T & { recommendationId?: string };
  return rest;
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

/** The session object of a listener, by pseudonym, as the edge addresses it. */
/**
 * This week's Discover Weekly of `listener` (raw id) frozen with `trackIds`, as a generator would
 * leave it: for tests of what plays, serves or is credited from a list, whatever the generator picks.
 */
export async function freezeDiscoverWeekly(
  listener: string,
  trackIds: readonly string[],
  modelVersion: string | null = null,
): Promise<FrozenPlaylist> {
  const now = Date.now();
  const period = periodOf(refreshOf("discover-weekly"), now, "UTC");
  return sessionStub(await pseudonymOf(listener)).freezePlaylist({
    kind: "discover-weekly",
    title: "Discover Weekly",
    description: "A test list, as a generator would leave it",
    seedArtists: [],
    tracks: trackIds.map((trackId) => ({ trackId, reason: { code: "new_for_you", text: "New for you" } })),
    periodKey: period.key,
    generatedAt: now,
    validUntil: period.end,
    modelVersion,
  });
}

export const sessionStub = (pseudonym: string) => env.SESSIONS.get(env.SESSIONS.idFromName(pseudonym));

/**
 * Every row of every table in a Durable Object's SQLite storage, and its alarm. Tables are found in
 * sqlite_master, so a table added to the object later is covered without naming it here.
 */
export function objectStorage(
  stub: DurableObjectStub,
): Promise<{ tables: Record<string, unknown[]>; alarm: number | null }> {
  return runInDurableObject(stub, async (_instance, state) => {
    const tables: Record<string, unknown[]> = {};
    const names = state.storage.sql.exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' ORDER BY name",
    );
    for (const { name } of names) tables[name] = state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray();
    return { tables, alarm: await state.storage.getAlarm() };
  });
}

/** Every row of every application table in D1 (D1's and the migrator's own tables left out). */
export async function d1Tables(): Promise<Record<string, Record<string, unknown>[]>> {
  const names = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT IN ('sqlite_sequence', 'd1_migrations') ORDER BY name",
  ).all<{ name: string }>();
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const { name } of names.results) tables[name] = (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results;
  return tables;
}

/** Every key in the models KV namespace. */
export async function kvKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.MODELS.list({ cursor });
    keys.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return keys;
}

/** Every object of every R2 bucket the edge reaches (the lake and the artefacts): its key and its bytes as text. */
export async function r2Objects(): Promise<{ key: string; text: string }[]> {
  const objects: { key: string; text: string }[] = [];
  for (const bucket of [env.LAKE, env.ARTIFACTS]) {
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ cursor });
      for (const { key } of page.objects) objects.push({ key, text: (await (await bucket.get(key))?.text()) ?? "" });
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return objects;
}

/** The ids of a listener's events stored in D1. */
export async function storedEventIds(pseudonym: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT event_id FROM events WHERE listener_id = ? ORDER BY event_id")
    .bind(pseudonym)
    .all<{ event_id: string }>();
  return rows.results.map((r) => r.event_id);
}

/**
 * The positive end of a negative check. Each listener sends one accepted event, `eventId` on
 * `trackId`, through the whole path (edge, session object, queue, consumer), and this waits until
 * all of them are in D1. A listener's earlier requests are ahead of its sentinel on that path, so
 * once the sentinels are stored, anything those requests (wrongly) sent on is stored too; and if
 * the path is broken, the wait fails rather than a check finding nothing.
 */
export async function passSentinels(rawIds: readonly string[], trackId: string, eventId: string, timeoutMs = 30_000) {
  for (const rawId of rawIds) {
    const events = [{ id: eventId, trackId, type: "play", timestamp: Date.now() }];
    const res = await edge("/v1/events", jsonBody("POST", { events }, await asListener(rawId)));
    expect(await json(res, 202), `sentinel of ${rawId}`).toMatchObject({ accepted: 1 });
  }
  const pseudonyms = await Promise.all(rawIds.map(pseudonymOf));
  await waitFor(
    `${rawIds.length} sentinel events in D1`,
    async () => {
      const row = await env.DB.prepare(
        "SELECT count(*) AS n FROM events WHERE event_id = ? AND listener_id IN (SELECT value FROM json_each(?))",
      )
        .bind(eventId, JSON.stringify(pseudonyms))
        .first<{ n: number }>();
      return row!.n === rawIds.length;
    },
    timeoutMs,
  );
}

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
