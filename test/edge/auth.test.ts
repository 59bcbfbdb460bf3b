import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { ROLES, type Role } from "../../shared/auth/api-key";
import { MAX_LISTENER_TOKEN_TTL_SECONDS, signListenerToken } from "../../workers/edge/auth/listener-token";
import { app } from "../../workers/edge/app";
import { ACCESS, appRoutes, asListener, edge, expectProblem, storeApiKey, TEST_KEYS, tokenFor } from "./helpers";

const OWNER = "walk-owner";
const OTHER = "walk-other";
const TRACK = "trk-00001";
const REVOKED_KEY = "test-revoked-client-key";

interface Call {
  method: string;
  path: string;
  body?: string;
}

/** Concrete requests for a route, well-formed for OWNER, so that credentials are the only thing wrong. */
function callsFor(route: string): Call[] {
  const [method, pattern] = route.split(" ") as [string, string];
  const path = pattern
    .replace(/^\/v1\/tracks\/:id/, `/v1/tracks/${TRACK}`)
    .replace(":id", OWNER)
    .replace("*", "models");
  if (method === "ALL") return ["GET", "POST", "PUT", "DELETE"].map((m) => ({ method: m, path }));
  if (path === "/v1/events") {
    const events = [{ id: "walk-1", listenerId: OWNER, trackId: TRACK, type: "play" }];
    return [{ method, path, body: JSON.stringify({ events }) }];
  }
  if (path.endsWith("/onboarding")) return [{ method, path, body: JSON.stringify({ genres: ["rock"] }) }];
  if (method === "PUT") return [{ method, path, body: JSON.stringify({ analytics: true }) }];
  return [{ method, path }];
}

function send(call: Call, headers: Record<string, string>) {
  return edge(call.path, {
    method: call.method,
    headers: call.body ? { ...headers, "content-type": "application/json" } : headers,
    body: call.body,
  });
}

const keyOf = (role: Role) => ({ "x-api-key": TEST_KEYS[role] });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  await storeApiKey(REVOKED_KEY, "client", Date.now() - 1000);
  // A catalog of two tracks in the charts, so that every route has something to answer with (the
  // speaker a track the walk's listener has not played yet).
  for (const id of [TRACK, "trk-00002"]) {
    await env.DB.prepare(
      `INSERT OR IGNORE INTO tracks (id, title, artist_id, artist_name, album_id, album_title, genre, release_date, tempo, energy, valence, danceability, acousticness, instrumentalness, speechiness, loudness, key, mode, duration_ms)
       VALUES (?, 'One', 'art-0001', 'An Artist', 'alb-0001', 'An Album', 'rock', '2020-01-01', 120, 0.5, 0.5, 0.5, 0.5, 0.1, 0.1, -8, 1, 1, 200000)`,
    )
      .bind(id)
      .run();
    await env.DB.prepare(
      "INSERT INTO events (listener_id, event_id, track_id, type, client_ts, received_at) VALUES ('l_walk', ?, ?, 'play', ?, ?)",
    )
      .bind(`walk-seed-${id}`, id, Date.now(), Date.now())
      .run();
  }
});

describe("every route of the app declares who may call it", () => {
  it("the access table names exactly the app's routes", () => {
    expect(appRoutes()).toEqual(Object.keys(ACCESS).sort());
  });

  const routes = Object.entries(ACCESS).flatMap(([route, access]) => ("roles" in access ? [{ route, access }] : []));

  it.each(routes)(
    "$route: 401 without credentials, 403 for other roles and for events of other listeners",
    async ({ route, access }) => {
      for (const call of callsFor(route)) {
        const res = await send(call, {});
        await expectProblem(res, 401);
        expect(res.headers.get("www-authenticate")).toMatch(/^ApiKey realm="setlist"/);

        await expectProblem(await send(call, { "x-api-key": "not-a-key" }), 401);
        await expectProblem(await send(call, { "x-api-key": REVOKED_KEY }), 401);

        for (const role of ROLES.filter((r) => !access.roles.includes(r))) {
          await expectProblem(await send(call, { ...keyOf(role), ...bearer(await tokenFor(OWNER)) }), 403);
        }

        const allowed = keyOf(access.roles[0]!);
        if (access.listener) {
          const noToken = await send(call, allowed);
          await expectProblem(noToken, 401);
          expect(noToken.headers.get("www-authenticate")).toBe('Bearer realm="setlist"');
          // Routes under /v1/me act for whoever the token names; only a body can name another listener.
          if (call.body?.includes("listenerId")) {
            await expectProblem(await send(call, { ...allowed, ...bearer(await tokenFor(OTHER)) }), 403);
          }
          const expired = await signListenerToken(env, OWNER, 60, Date.now() - 3_600_000);
          const res = await send(call, { ...allowed, ...bearer(expired) });
          expect((await expectProblem(res, 401)).detail).toMatch(/expired/);
          expect(res.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
        }
      }
    },
  );

  it.each(routes)("$route: the right credentials get through", async ({ route, access }) => {
    // Operator writes (seed, retrain) would start real jobs; reading the models shows the door opens.
    const calls = callsFor(route).filter((c) => !c.path.startsWith("/admin") || c.method === "GET");
    for (const call of calls) {
      const headers = { ...keyOf(access.roles[0]!), ...(access.listener ? bearer(await tokenFor(OWNER)) : {}) };
      const res = await send(call, headers);
      const what = `${call.method} ${call.path}: ${res.status} ${await res.text()}`;
      // Neither refused (401, 403, 429; 503 when keys cannot be checked) nor crashed: the route itself answered.
      expect(res.status, what).toBeLessThan(500);
      expect([401, 403, 429], what).not.toContain(res.status);
    }
  });

  const signed = Object.entries(ACCESS).flatMap(([route, access]) => ("signed" in access ? [route] : []));
  it.each(signed)("%s: no API key or listener token opens it without the platform's signature", async (route) => {
    const [method, path] = route.split(" ") as [string, string];
    const body = JSON.stringify({ version: "1.0", request: { type: "LaunchRequest" } });
    for (const role of ROLES) {
      const headers = { ...keyOf(role), ...bearer(await tokenFor(OWNER)), "content-type": "application/json" };
      await expectProblem(await edge(path, { method, headers, body }), 400);
    }
    await expectProblem(await edge(path, { method, body }), 400);
  });

  it("/health is public", async () => {
    expect(await (await edge("/health")).json()).toEqual({ status: "ok" });
  });
});

describe("API keys", () => {
  const failing = { prepare: () => failing, bind: () => failing, all: () => Promise.reject(new Error("D1 is down")) };
  /**
   * For a spray that takes seconds, not minutes: a D1 that holds none of the keys asked for, and a
   * lookup budget that never runs out (the budget itself is checked in rate-limit.test.ts).
   */
  const knowsNoKeys = { prepare: () => knowsNoKeys, bind: () => knowsNoKeys, raw: () => Promise.resolve([]) };
  const unlimited = { limit: () => Promise.resolve({ success: true }) };
  const withDb = (db: unknown, headers: Record<string, string>) =>
    app.request(
      "/v1/tracks/bad%20id",
      { headers },
      { ...env, DB: db, KEY_LOOKUP_RATE_LIMIT: unlimited },
      createExecutionContext(),
    );
  const d1Down = (key: string) => withDb(failing, { "x-api-key": key });

  it("while D1 cannot be read, keys this isolate has checked still work and unseen ones get 503", async () => {
    const seen = "test-key-seen-before-outage";
    const unseen = "test-key-never-seen";
    await storeApiKey(seen, "client");
    await storeApiKey(unseen, "client");
    expect((await edge("/v1/charts/top", { headers: { "x-api-key": seen } })).status).toBe(200);

    expect((await d1Down(seen)).status).toBe(400);
    const res = await d1Down(unseen);
    await expectProblem(res, 503);
    expect(res.headers.get("retry-after")).toBe("10");
  });

  it("a spray of more unknown keys than any cache holds does not push out a verified one", async () => {
    const trusted = "test-key-trusted-before-spray";
    await storeApiKey(trusted, "client");
    expect((await edge("/v1/tracks/bad%20id", { headers: { "x-api-key": trusted } })).status).toBe(400);
    // More than both the cache of unknown keys and the whole key cache of old (10,000) hold.
    const spray = 10_001;
    const statuses = new Map<number, number>();
    for (let sent = 0; sent < spray; sent += 100) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(100, spray - sent) }, (_, i) =>
          withDb(knowsNoKeys, { "x-api-key": `spray-${sent + i}` }),
        ),
      );
      for (const res of answers) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    console.log(`spray of ${spray} unknown keys: ${[...statuses].map(([s, n]) => `${n} x ${s}`).join(", ")}`);
    expect(statuses.get(401)).toBe(spray);
    expect((await d1Down(trusted)).status).toBe(400);
  });
});

describe("listener tokens", () => {
  const path = `/v1/me/now-playing`;
  const withToken = (token: string) => edge(path, { headers: { ...keyOf("client"), ...bearer(token) } });
  const now = Math.floor(Date.now() / 1000);
  /** The issuer and audience the edge expects, so that each refused token below is wrong in one way only. */
  const issued = { iss: env.LISTENER_TOKEN_ISSUER, aud: env.LISTENER_TOKEN_AUDIENCE };
  const signed = (claims: Record<string, unknown>) =>
    sign({ ...issued, ...claims }, env.LISTENER_TOKEN_SECRET, "HS256");
  const refusal = async (token: string) => {
    const res = await withToken(token);
    expect(res.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    return (await expectProblem(res, 401)).detail;
  };

  it("a valid token is accepted", async () => {
    expect((await edge(path, { headers: await asListener(OWNER) })).status).toBe(200);
  });

  it("refuses tokens signed with another secret, tampered, unsigned or without the required claims", async () => {
    const valid = await tokenFor(OWNER);
    const [header, payload] = valid.split(".") as [string, string];
    const otherListener = btoa(JSON.stringify({ ...issued, sub: OTHER, exp: now + 600 })).replace(/=+$/, "");
    const refused = [
      await sign({ ...issued, sub: OWNER, exp: now + 600 }, "another-secret-of-at-least-32-bytes!!", "HS256"),
      `${header}.${otherListener}.${valid.split(".")[2]}`,
      `${btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")}.${payload}.`,
      await sign({ ...issued, sub: OWNER, exp: now + 600 }, env.LISTENER_TOKEN_SECRET, "HS512"),
      await signed({ sub: OWNER }),
      await signed({ sub: "not a valid id", exp: now + 600 }),
      await signed({ sub: OWNER, exp: now + 600, nbf: now + 300 }),
      "not.a.token",
      "x".repeat(10_000),
    ];
    for (const token of refused) await expectProblem(await withToken(token), 401);
    await expectProblem(
      await edge(path, { headers: { ...keyOf("client"), authorization: `Basic ${btoa("a:b")}` } }),
      401,
    );
  });

  it("refuses a token that lives longer than the maximum, naming the limit", async () => {
    const hundredYears = 100 * 365 * 86_400;
    expect(await refusal(await signed({ sub: OWNER, iat: now, exp: now + hundredYears }))).toMatch(/24 h/);
    expect(await refusal(await signed({ sub: OWNER, exp: now + MAX_LISTENER_TOKEN_TTL_SECONDS + 60 }))).toMatch(/24 h/);
    const longest = await signListenerToken(env, OWNER, MAX_LISTENER_TOKEN_TTL_SECONDS);
    expect((await withToken(longest)).status).toBe(200);
    await expect(signListenerToken(env, OWNER, MAX_LISTENER_TOKEN_TTL_SECONDS + 1)).rejects.toThrow(/24 h/);
  });

  it("refuses a token from another issuer or for another audience, or without them", async () => {
    const claims = { sub: OWNER, exp: now + 600 };
    for (const wrong of [
      { iss: "https://evil.example" },
      { iss: undefined },
      { aud: "another-api" },
      { aud: undefined },
      { aud: [] },
    ]) {
      expect(await refusal(await signed({ ...claims, ...wrong })), JSON.stringify(wrong)).toMatch(/issuer|audience/);
    }
    expect((await withToken(await signed({ ...claims, aud: ["another-api", issued.aud] }))).status).toBe(200);
  });

  it("reports an exp that is not a number of seconds as malformed, not as expired", async () => {
    for (const exp of ["2999-01-01", null, { at: now + 600 }, true]) {
      const detail = await refusal(await signed({ sub: OWNER, exp }));
      expect(detail, JSON.stringify(exp)).not.toMatch(/expired/);
      expect(detail, JSON.stringify(exp)).toMatch(/exp/);
    }
    expect(await refusal(await signed({ sub: OWNER, exp: now - 1 }))).toMatch(/expired/);
  });

  it("events for another listener are refused, naming each one", async () => {
    const events = [OWNER, OTHER].map((listenerId, i) => ({
      id: `own-${i}`,
      listenerId,
      trackId: TRACK,
      type: "play",
    }));
    const res = await edge("/v1/events", {
      method: "POST",
      headers: { ...(await asListener(OWNER)), "content-type": "application/json" },
      body: JSON.stringify({ events }),
    });
    const body = await expectProblem(res, 403);
    expect(body.errors).toEqual([{ path: "events.1.listenerId", message: expect.any(String) }]);
  });
});

describe("browser clients", () => {
  const allowed = "http://localhost:3000";

  it("an allowed origin gets CORS headers, and its preflight names the headers the API needs", async () => {
    const preflight = await edge("/v1/charts/top", {
      method: "OPTIONS",
      headers: {
        origin: allowed,
        "access-control-request-method": "GET",
        "access-control-request-headers": "x-api-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-api-key");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");

    const res = await edge("/v1/charts/top", { headers: { origin: allowed, ...keyOf("client") } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("another origin gets no CORS permission, on answers and errors alike", async () => {
    for (const res of [
      await edge("/v1/charts/top", { method: "OPTIONS", headers: { origin: "https://evil.example" } }),
      await edge("/v1/charts/top", { headers: { origin: "https://evil.example", ...keyOf("client") } }),
      await edge("/v1/charts/top", { headers: { origin: "https://evil.example" } }),
    ]) {
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("every response carries the security headers: answers, errors, the operator proxy and unknown routes", async () => {
    const responses = [
      await edge("/health"),
      await edge("/v1/charts/top", { headers: keyOf("client") }),
      await edge("/v1/charts/top"),
      await edge("/v1/charts/top?limit=0", { headers: keyOf("client") }),
      await edge("/admin/models", { headers: keyOf("operator") }),
      await edge("/v1/nothing"),
      await edge("/v1/events", { method: "POST", headers: { "content-length": "100000" }, body: "x".repeat(100_000) }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 400, 200, 404, 413]);
    for (const res of responses) {
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(res.headers.get("strict-transport-security")).toMatch(/max-age=/);
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});
