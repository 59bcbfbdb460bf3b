import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVITIES, DEVICES, EVENT_TYPES } from "../../shared/catalog/types";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { trackRow } from "../../shared/db/rows";
import { events, tracks } from "../../shared/db/schema";
import { generateDemoCatalog } from "../../shared/demo";
import { app } from "../../workers/edge/app";
import { ROLES, type Role } from "../../shared/auth/api-key";
import { signListenerToken } from "../../workers/edge/auth/listener-token";
import { ACCESS, appRoutes, storeApiKey } from "./helpers";

/**
 * Property-based fuzzing of every route with random and adversarial requests: wrong types, huge and
 * unicode strings, SQL fragments, deep JSON, duplicated ids, bad headers, keys and tokens. Whatever
 * arrives, the edge answers below 500, every error is problem details, requests with a known defect
 * are refused, and nothing refused (or read) changes what is stored.
 */

/** Fresh names each run: the local rate limiter keeps its counters on disk between runs. */
const RUN = crypto.randomUUID().slice(0, 8);
const LISTENERS = Array.from({ length: 40 }, (_, i) => `fz-${RUN}-${i}`);
/** A listener no token is ever minted for. */
const STRANGER = `fz-${RUN}-stranger`;
const KEYS = Object.fromEntries(
  ROLES.map((role) => [role, Array.from({ length: 4 }, (_, i) => `fuzz-${role}-${RUN}-${i}`)]),
) as Record<Role, string[]>;
const REVOKED_KEY = `fuzz-revoked-${RUN}`;
const CATALOG = generateDemoCatalog(5).tracks.slice(0, 25);
const TRACK_IDS = CATALOG.map((t) => t.id);
const tokens = {
  own: new Map<string, string>(),
  expired: new Map<string, string>(),
  forged: new Map<string, string>(),
};

let sent = 0;
const statuses = new Map<number, number>();
/**
 * The worker's fetch handler is `app.fetch`; calling it with the real bindings skips the test
 * harness's dispatch (about 3 ms a request here), so 10,000 requests fit in the time budget.
 */
async function send(c: FuzzCase): Promise<Response> {
  sent++;
  const request = new Request(`http://edge${c.path}`, { method: c.method, headers: c.headers, body: c.body });
  return app.fetch(request, env, createExecutionContext());
}

interface FuzzCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The route the request is meant for; null for junk. */
  template: string | null;
  /** Whether the credentials are enough for what is asked; null where that is not known. */
  authorized: boolean | null;
  /** The request has a defect the edge must refuse it for. */
  mustReject: boolean;
}

// ---------------------------------------------------------------- adversarial values

const SQL = [
  "' OR '1'='1",
  "1; DROP TABLE events; --",
  '" OR ""="',
  "admin'--",
  "%' AND 1=1 --",
  "1 UNION SELECT hash FROM api_keys",
];
const TRICKY = [
  "",
  " ",
  "..",
  "../../etc/passwd",
  "%2e%2e%2f",
  "%00",
  "\u0000",
  "null",
  "undefined",
  "NaN",
  "-1",
  "0",
  "1e308",
  "9007199254740993",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "<script>alert(1)</script>",
  "${7*7}",
  "\u202eevil",
  "🎵🎶",
  "Ω≈ç√",
  "ä".repeat(70),
  "a".repeat(65),
  "a".repeat(20_000),
];
const nasty: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SQL, ...TRICKY) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }).map((s) => s.repeat(2_000)) },
);
const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const idLike = fc.oneof({ weight: 2, arbitrary: validId }, nasty);
const anyJson = fc.jsonValue({ maxDepth: 4 });
/** Printable ASCII: control characters are not allowed in header values, and workerd warns about non-ASCII. */
const headerValue = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 })
  .map((s) => s.trim());
const enc = (s: string) => encodeURIComponent(s.toWellFormed());
/**
 * Whether the URL still names the route after normalization: empty and dot segments make it another
 * path (no route, or another one), where who may call it is moot.
 */
function routedTo(path: string, template: string): boolean {
  const pattern = template.replace(/:id/g, "[^/]+").replace("*", ".+");
  return new RegExp(`^${pattern}$`).test(new URL(`http://edge${path}`).pathname);
}
const deepJson = (depth: number, open: string, close: string, inner = "1") =>
  open.repeat(depth) + inner + close.repeat(depth);

// ---------------------------------------------------------------- credentials

type KeyChoice =
  { kind: "valid"; role: Role; index: number } | { kind: "none" | "revoked" } | { kind: "junk"; value: string };
type TokenChoice =
  | { kind: "none" | "own" | "expired" | "forged" }
  | { kind: "other"; listener: string }
  | { kind: "junk"; value: string };

interface Credentials {
  key: KeyChoice;
  token: TokenChoice;
}

const keyFits = ({ key }: Credentials, roles: readonly Role[]) => key.kind === "valid" && roles.includes(key.role);
/** The listener a valid token speaks for, given the listener the case was generated for. */
function tokenListener({ token }: Credentials, listener: string): string | null {
  return token.kind === "own" ? listener : token.kind === "other" ? token.listener : null;
}

function credentialHeaders(creds: Credentials, listener: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const { key, token } = creds;
  if (key.kind === "valid") headers["x-api-key"] = KEYS[key.role][key.index]!;
  if (key.kind === "revoked") headers["x-api-key"] = REVOKED_KEY;
  if (key.kind === "junk") headers["x-api-key"] = key.value;
  if (token.kind === "own" || token.kind === "expired" || token.kind === "forged") {
    headers.authorization = `Bearer ${tokens[token.kind].get(listener)}`;
  }
  if (token.kind === "other") headers.authorization = `Bearer ${tokens.own.get(token.listener)}`;
  if (token.kind === "junk") headers.authorization = token.value;
  return headers;
}

const validKey = (roles: readonly Role[]) =>
  fc.record({ kind: fc.constant("valid" as const), role: fc.constantFrom(...roles), index: fc.nat(3) });
const otherListener = (listener: string) =>
  fc.constantFrom(...LISTENERS.filter((l) => l !== listener)).map((l) => ({ kind: "other" as const, listener: l }));
const junkToken = fc.oneof(
  headerValue,
  headerValue.map((v) => `Bearer ${v}`),
  fc.constantFrom("Bearer", "Bearer ", "Basic YTpi", "bearer a.b.c", `Bearer ${"x".repeat(5000)}`),
);
const anyToken = (listener: string): fc.Arbitrary<TokenChoice> =>
  fc.oneof(
    fc.constantFrom<TokenChoice>({ kind: "none" }, { kind: "own" }, { kind: "expired" }, { kind: "forged" }),
    otherListener(listener),
    junkToken.map((value) => ({ kind: "junk" as const, value })),
  );

function goodCredentials(roles: readonly Role[], listener: boolean): fc.Arbitrary<Credentials> {
  return validKey(roles).map((key) => ({ key, token: { kind: listener ? "own" : "none" } }));
}

const unusableKey: fc.Arbitrary<KeyChoice> = fc.oneof(
  fc.constantFrom<KeyChoice>({ kind: "none" }, { kind: "revoked" }),
  headerValue.map((value) => ({ kind: "junk" as const, value })),
);
/** No valid token: another listener's valid token opens that listener's own /v1/me routes, so it is not wrong. */
const wrongToken: fc.Arbitrary<TokenChoice> = fc.oneof(
  fc.constantFrom<TokenChoice>({ kind: "none" }, { kind: "expired" }, { kind: "forged" }),
  junkToken.map((value) => ({ kind: "junk" as const, value })),
);

/** Credentials that must not get through: no usable key, a key of another role, or a wrong token. */
function badCredentials(roles: readonly Role[], needsListener: boolean, listener: string): fc.Arbitrary<Credentials> {
  const otherRoles = ROLES.filter((r) => !roles.includes(r));
  const badKey = fc.record({
    key: otherRoles.length > 0 ? fc.oneof(unusableKey, validKey(otherRoles)) : unusableKey,
    token: anyToken(listener),
  });
  if (!needsListener) return badKey;
  return fc.oneof(badKey, fc.record({ key: validKey(roles), token: wrongToken }));
}

function anyCredentials(roles: readonly Role[], needsListener: boolean, listener: string) {
  return fc.oneof(
    { weight: 3, arbitrary: goodCredentials(roles, needsListener) },
    { weight: 2, arbitrary: badCredentials(roles, needsListener, listener) },
  );
}

function accessOf(route: string) {
  const access = ACCESS[route];
  if (!access || !("roles" in access)) throw new Error(`no credentials needed for ${route}`);
  return access;
}

// ---------------------------------------------------------------- query strings

const QUERY_VALUES: Record<string, fc.Arbitrary<string>> = {
  limit: fc.oneof(fc.integer({ min: -5, max: 120 }).map(String), fc.double().map(String)),
  region: fc.constantFrom("SE", "us", "USA", "", "S3"),
  activity: fc.constantFrom(...ACTIVITIES, "dance"),
  device: fc.constantFrom(...DEVICES, "fridge"),
  localTime: fc.constantFrom("2026-11-24T23:30:00+01:00", "2026-11-24T23:30:00", "2026-13-40T99:99:99Z"),
  timeZone: fc.constantFrom("Europe/Stockholm", "Mars/Olympus_Mons", "UTC", "../../etc"),
};
/** Mostly names the route knows with plausible values; also unknown, repeated and hostile ones. */
const queryArb = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(...Object.keys(QUERY_VALUES)).chain((k) => fc.tuple(fc.constant(k), QUERY_VALUES[k]!)),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...Object.keys(QUERY_VALUES)), nasty) },
    { weight: 1, arbitrary: fc.tuple(nasty, nasty) },
  ),
  { maxLength: 4 },
);
const withQuery = (path: string, query: [string, string][]) =>
  query.length > 0
    ? `${path}?${new URLSearchParams(query.map(([k, v]) => [k.toWellFormed(), v.toWellFormed()]))}`
    : path;

// ---------------------------------------------------------------- read routes

/** GETs under /v1/me or /v1/speaker: reads of the token's listener, so any credentials and any input are fair. */
function listenerRead(route: string): fc.Arbitrary<FuzzCase> {
  const access = accessOf(route);
  const template = route.split(" ")[1]!;
  return fc.constantFrom(...LISTENERS).chain((listener) =>
    fc.record({ creds: anyCredentials(access.roles, true, listener), query: queryArb }).map(({ creds, query }) => ({
      method: "GET",
      path: withQuery(template, query),
      template,
      headers: credentialHeaders(creds, listener),
      // Any valid listener token opens that listener's own routes.
      authorized: keyFits(creds, access.roles) && tokenListener(creds, listener) !== null,
      mustReject: false,
    })),
  );
}

/** Catalog GETs: any key will do, no listener. */
function catalogRead(route: string): fc.Arbitrary<FuzzCase> {
  const template = route.split(" ")[1]!;
  return fc
    .record({
      creds: anyCredentials(ROLES, false, LISTENERS[0]!),
      trackId: fc.oneof(fc.constantFrom(...TRACK_IDS), idLike),
      query: queryArb,
    })
    .map(({ creds, trackId, query }) => ({
      method: "GET",
      path: withQuery(template.replace(":id", enc(trackId)), query),
      template,
      headers: credentialHeaders(creds, LISTENERS[0]!),
      authorized: keyFits(creds, ROLES),
      mustReject: false,
    }));
}

const healthRead: fc.Arbitrary<FuzzCase> = fc
  .record({ query: queryArb, junkKey: fc.option(headerValue) })
  .map(({ query, junkKey }) => ({
    method: "GET",
    path: withQuery("/health", query),
    template: "/health",
    headers: junkKey === null ? ({} as Record<string, string>) : { "x-api-key": junkKey },
    authorized: true,
    mustReject: false,
  }));

/** Operator reads, including with a real operator key: the retraining worker's own validation is fuzzed too. */
const adminRead: fc.Arbitrary<FuzzCase> = fc
  .record({
    creds: anyCredentials(["operator"], false, LISTENERS[0]!),
    sub: fc.oneof(
      fc.constantFrom("models", "dlq", "models/v20261124000000-abcdef"),
      nasty.map((s) => `models/${enc(s)}`),
      nasty.map(enc),
    ),
    query: queryArb,
  })
  .map(({ creds, sub, query }) => ({
    method: "GET",
    path: withQuery(`/admin/${sub}`, query),
    template: "/admin/*",
    headers: credentialHeaders(creds, LISTENERS[0]!),
    authorized: keyFits(creds, ["operator"]),
    mustReject: false,
  }));

// ---------------------------------------------------------------- write routes: always with a defect

interface Body {
  value: Record<string, unknown>;
  /** Set by defects that send something other than `value` serialized. */
  text?: string;
  contentType: string;
}
/** A defect that on its own must get a request refused, whatever else the request carries. */
interface Defect {
  name: string;
  apply?: (body: Body, query: [string, string][]) => void;
}

const unknownField: Defect = { name: "unknown field", apply: (b) => (b.value.unexpected = 1) };
const malformed: Defect = { name: "malformed JSON", apply: (b) => (b.text = JSON.stringify(b.value).slice(0, -1)) };
const oversized: Defect = {
  name: "oversized body",
  apply: (b) => (b.text = JSON.stringify({ ...b.value, padding: "x".repeat(70_000) })),
};
const unknownQuery: Defect = { name: "unknown query parameter", apply: (_, q) => q.push(["unexpected", "1"]) };
/** Applied by choosing bad credentials rather than by changing the request. */
const credentialsDefect: Defect = { name: "credentials" };

function firstEvent(b: Body, listener: string): Record<string, unknown> {
  const list = b.value.events as Record<string, unknown>[];
  if (list.length === 0) list.push({ id: "e0", listenerId: listener, trackId: TRACK_IDS[0], type: "play" });
  return list[0]!;
}

/** What every route taking a JSON body must refuse. */
const jsonBodyDefects: Defect[] = [credentialsDefect, unknownField, malformed, oversized, unknownQuery];

const eventDefects = (listener: string): Defect[] => [
  ...jsonBodyDefects,
  { name: "unknown event type", apply: (b) => (firstEvent(b, listener).type = "teleport") },
  {
    name: "event of another listener",
    apply: (b) => (firstEvent(b, listener).listenerId = STRANGER),
  },
  { name: "unknown track", apply: (b) => (firstEvent(b, listener).trackId = "no-such-track") },
  { name: "timestamp far in the future", apply: (b) => (firstEvent(b, listener).timestamp = Date.now() + 86_400_000) },
  { name: "timestamp too old", apply: (b) => (firstEvent(b, listener).timestamp = Date.now() - 40 * 86_400_000) },
  { name: "no events", apply: (b) => (b.value.events = []) },
  {
    name: "too many events",
    apply: (b) =>
      (b.value.events = Array.from({ length: 101 }, (_, i) => ({
        id: `e${i}`,
        listenerId: listener,
        trackId: TRACK_IDS[0],
        type: "play",
      }))),
  },
  { name: "events not an array", apply: (b) => (b.value.events = { 0: firstEvent(b, listener) }) },
  { name: "deeply nested events", apply: (b) => (b.text = `{"events":${deepJson(5_000, "[", "]")}}`) },
  { name: "not JSON", apply: (b) => (b.contentType = "text/plain") },
];

/** Mostly the valid value, sometimes a hostile one: bodies get past validation often enough to reach later checks. */
const mostly = <T>(valid: fc.Arbitrary<T>, ...hostile: fc.Arbitrary<unknown>[]) =>
  fc.oneof({ weight: 10 * hostile.length, arbitrary: valid as fc.Arbitrary<unknown> }, ...hostile);

/** Events for the listener, with hostile values mixed in and ids often repeated within a batch. */
const eventArb = (listener: string) =>
  fc.record(
    {
      id: mostly(fc.constantFrom("ev-1", "ev-2", "ev-3", "ev-4"), idLike, fc.integer()),
      listenerId: mostly(fc.constant(listener), idLike),
      trackId: mostly(fc.constantFrom(...TRACK_IDS), idLike),
      type: mostly(fc.constantFrom(...EVENT_TYPES.filter((t) => t !== "dislike")), nasty),
      timestamp: mostly(
        fc.integer({ min: Date.now() - 29 * 86_400_000, max: Date.now() }),
        fc.integer({ min: Date.now() - 40 * 86_400_000, max: Date.now() + 86_400_000 }),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        nasty,
        fc.double(),
      ),
      positionMs: mostly(fc.integer({ min: 0, max: 600_000 }), fc.integer(), fc.double(), nasty),
      msPlayed: mostly(fc.integer({ min: 0, max: 600_000 }), fc.integer({ min: -1e12, max: 1e12 })),
      device: mostly(fc.constantFrom(...DEVICES), nasty),
      context: mostly(
        fc.record(
          {
            activity: fc.constantFrom(...ACTIVITIES),
            playlistId: validId,
            source: fc.constantFrom("radio", "library"),
          },
          { requiredKeys: [] },
        ),
        fc.record({ activity: fc.constantFrom("dance", "") }),
        anyJson,
      ),
      target: mostly(fc.constant(undefined), fc.constantFrom("track", "artist", "album")),
    },
    { requiredKeys: ["id", "listenerId", "trackId", "type"] },
  );

/** A write with at least one defect, so the edge must refuse it and store nothing. */
function writeCase(
  route: string,
  path: (listener: string) => string,
  bodyArb: ((listener: string) => fc.Arbitrary<Record<string, unknown>>) | null,
  defects: (listener: string) => Defect[],
): fc.Arbitrary<FuzzCase> {
  const access = accessOf(route);
  const method = route.split(" ")[0]!;
  return fc.constantFrom(...LISTENERS).chain((listener) =>
    fc
      .record({
        chosen: fc.subarray(defects(listener), { minLength: 1, maxLength: Math.min(3, defects(listener).length) }),
        good: goodCredentials(access.roles, access.listener),
        bad: badCredentials(access.roles, access.listener, listener),
        value: bodyArb ? bodyArb(listener) : fc.constant({}),
        // Write routes take no query parameters, so any given is a defect: mostly none, to reach the body.
        query: fc.oneof({ weight: 4, arbitrary: fc.constant<[string, string][]>([]) }, queryArb),
      })
      .map(({ chosen, good, bad, value, query }) => {
        const creds = chosen.includes(credentialsDefect) ? bad : good;
        const body: Body = { value: structuredClone(value), contentType: "application/json" };
        const q = [...query];
        for (const defect of chosen) defect.apply?.(body, q);
        const headers = credentialHeaders(creds, listener);
        if (bodyArb) headers["content-type"] = body.contentType;
        const authorized = keyFits(creds, access.roles) && tokenListener(creds, listener) === listener;
        // On the events route a valid token of another listener is refused for the body's listener
        // ids, after the body itself is checked, so it may get any refusal.
        const foreignToken = keyFits(creds, access.roles) && creds.token.kind === "other";
        return {
          method,
          path: withQuery(path(listener), q),
          template: route.split(" ")[1]!,
          headers,
          body: bodyArb ? (body.text ?? JSON.stringify(body.value)) : undefined,
          authorized: foreignToken && route === "POST /v1/events" ? null : authorized,
          mustReject: true,
        };
      }),
  );
}

const eventsWrite = writeCase(
  "POST /v1/events",
  () => "/v1/events",
  (listener) => fc.record({ events: fc.array(eventArb(listener), { maxLength: 4 }) }),
  eventDefects,
);

const onboardingWrite = writeCase(
  "POST /v1/me/onboarding",
  () => "/v1/me/onboarding",
  () =>
    fc.record(
      {
        artists: fc.array(fc.oneof(fc.string(), anyJson), { maxLength: 3 }),
        genres: fc.array(fc.oneof(fc.string(), anyJson), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  () => [
    ...jsonBodyDefects,
    { name: "too many genres", apply: (b) => (b.value.genres = Array.from({ length: 11 }, (_, i) => `g${i}`)) },
    { name: "not an array", apply: (b) => (b.value.artists = "art-0001") },
  ],
);

const consentWrite = writeCase(
  "PUT /v1/me/consent",
  () => "/v1/me/consent",
  () =>
    fc.record(
      { personalization: fc.oneof(fc.boolean(), anyJson), analytics: fc.oneof(fc.boolean(), anyJson) },
      { requiredKeys: [] },
    ),
  () => [
    ...jsonBodyDefects,
    { name: "not a boolean", apply: (b) => (b.value.personalization = "yes") },
    { name: "not an object", apply: (b) => (b.text = JSON.stringify([b.value])) },
    { name: "deeply nested", apply: (b) => (b.text = `{"analytics":${deepJson(10_000, '{"a":', "}")}}`) },
  ],
);

const eraseWrite = writeCase(
  "DELETE /v1/me",
  () => "/v1/me",
  null,
  () => [credentialsDefect, unknownQuery],
);

/** Operator writes start real jobs (seed, retrain, import), so only ones without an operator key are sent. */
const adminWrite: fc.Arbitrary<FuzzCase> = fc
  .record({
    method: fc.constantFrom("POST", "PUT", "DELETE", "PATCH"),
    sub: fc.oneof(fc.constantFrom("seed", "retrain", "import/tracks", "models/rollback", "dlq/replay"), nasty.map(enc)),
    creds: badCredentials(["operator"], false, LISTENERS[0]!),
    body: fc.oneof(
      anyJson.map((v) => JSON.stringify(v)),
      nasty,
    ),
  })
  .map(({ method, sub, creds, body }) => ({
    method,
    path: `/admin/${sub}`,
    template: "/admin/*",
    headers: { ...credentialHeaders(creds, LISTENERS[0]!), "content-type": "application/json" },
    body,
    authorized: false,
    mustReject: true,
  }));

/**
 * No operator key and no valid listener token:
 * whatever a junk request hits, it can change nothing.
 */
const junkCredentials: fc.Arbitrary<Credentials> = fc.record({
  key: fc.oneof(unusableKey, validKey(["client", "speaker"])),
  token: wrongToken,
});

/** Any method on paths no route serves, or serves differently, with any headers. */
const junk: fc.Arbitrary<FuzzCase> = fc
  .record({
    method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"),
    prefix: fc.constantFrom("", "/v1", "/v1/me", "/v1/tracks", "/v1/speaker", "/v1/charts", "/admin", "/v2", "//"),
    segments: fc.array(
      fc.oneof(
        nasty.map(enc),
        nasty.map((s) => s.replace(/[#?]/g, "")),
      ),
      { minLength: 1, maxLength: 4 },
    ),
    creds: junkCredentials,
    headers: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), headerValue, { maxKeys: 4 }),
    body: fc.option(
      fc.oneof(
        nasty,
        anyJson.map((v) => JSON.stringify(v)),
      ),
    ),
  })
  .map(({ method, prefix, segments, creds, headers, body }) => ({
    method,
    path: `${prefix}/${segments.join("/")}`,
    template: null,
    headers: { ...headers, ...credentialHeaders(creds, LISTENERS[0]!) },
    body: method === "GET" ? undefined : (body ?? undefined),
    authorized: null,
    mustReject: false,
  }));

/** The generators for every route of the app; the first test checks none is missing. */
const FUZZED: Record<string, { arb: fc.Arbitrary<FuzzCase>; runs: number }[]> = {
  "GET /health": [{ arb: healthRead, runs: 200 }],
  "GET /v1/me/recommendations": [{ arb: listenerRead("GET /v1/me/recommendations"), runs: 600 }],
  "GET /v1/me/now-playing": [{ arb: listenerRead("GET /v1/me/now-playing"), runs: 400 }],
  "GET /v1/me/consent": [{ arb: listenerRead("GET /v1/me/consent"), runs: 400 }],
  "GET /v1/me/export": [{ arb: listenerRead("GET /v1/me/export"), runs: 300 }],
  "GET /v1/speaker/next": [{ arb: listenerRead("GET /v1/speaker/next"), runs: 500 }],
  "GET /v1/tracks/:id": [{ arb: catalogRead("GET /v1/tracks/:id"), runs: 500 }],
  "GET /v1/tracks/:id/similar": [{ arb: catalogRead("GET /v1/tracks/:id/similar"), runs: 500 }],
  "GET /v1/charts/top": [{ arb: catalogRead("GET /v1/charts/top"), runs: 500 }],
  "POST /v1/events": [{ arb: eventsWrite, runs: 2500 }],
  "PUT /v1/me/consent": [{ arb: consentWrite, runs: 800 }],
  "POST /v1/me/onboarding": [{ arb: onboardingWrite, runs: 400 }],
  "DELETE /v1/me": [{ arb: eraseWrite, runs: 500 }],
  "ALL /admin/*": [
    { arb: adminRead, runs: 600 },
    { arb: adminWrite, runs: 500 },
  ],
};
const JUNK_RUNS = 1_500;

// ---------------------------------------------------------------- what must hold

const PROBLEM_FIELDS = { type: expect.any(String), title: expect.any(String), detail: expect.any(String) };

async function check(c: FuzzCase, res: Response) {
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const text = await res.text();
  const what = `${c.method} ${c.path.slice(0, 200)} -> ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get("content-type"), what).toContain("application/problem+json");
    expect(JSON.parse(text), what).toMatchObject({ ...PROBLEM_FIELDS, status: res.status });
  }
  if (c.mustReject) expect(res.status, what).toBeGreaterThanOrEqual(400);
  const authorized = c.template && routedTo(c.path, c.template) ? c.authorized : null;
  // The body limit is checked before anything else, credentials included.
  if (authorized === false) expect([401, 403, 413, 429], what).toContain(res.status);
  // An authorized events batch may still name other listeners (403); elsewhere the door must open.
  if (authorized === true) expect(c.template === "/v1/events" ? [401] : [401, 403], what).not.toContain(res.status);
}

async function fuzz(arb: fc.Arbitrary<FuzzCase>, runs: number) {
  await fc.assert(
    fc.asyncProperty(arb, async (c) => check(c, await send(c))),
    { numRuns: runs },
  );
}

/** A digest of every row of every D1 table, with the row counts, and every KV key. */
async function storedState() {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT IN ('sqlite_sequence', 'd1_migrations') ORDER BY name",
  ).all<{ name: string }>();
  const counts: Record<string, number> = {};
  let rows = "";
  for (const { name } of tables.results) {
    const all = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    counts[name] = all.results.length;
    rows += JSON.stringify(all.results);
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(rows));
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.MODELS.list({ cursor });
    keys.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return { counts, digest: Array.from(new Uint8Array(digest)).join(","), kvKeys: keys };
}

// ---------------------------------------------------------------- the run

describe("fuzzing every route", () => {
  let before: Awaited<ReturnType<typeof storedState>>;

  beforeAll(async () => {
    await env.DB.batch(bulkInsertStatements(env.DB, tracks, CATALOG.map(trackRow), "ignore"));
    // A few plays in the chart window, so the speaker and charts have something to answer with.
    const now = Date.now();
    await drizzle(env.DB)
      .insert(events)
      .values(
        TRACK_IDS.slice(0, 10).map((trackId, i) => ({
          listenerId: "fuzz-seed-listener",
          eventId: `seed-${i}`,
          trackId,
          type: "complete",
          clientTs: now - i * 60_000,
          receivedAt: now,
        })),
      );
    for (const role of ROLES) for (const key of KEYS[role]) await storeApiKey(key, role);
    await storeApiKey(REVOKED_KEY, "client", now);
    for (const listener of LISTENERS) {
      tokens.own.set(listener, await signListenerToken(env, listener, 3600));
      tokens.expired.set(listener, await signListenerToken(env, listener, 60, now - 7_200_000));
      tokens.forged.set(
        listener,
        await signListenerToken(
          { ...env, LISTENER_TOKEN_SECRET: "a-guessed-secret-that-is-long-enough!!" },
          listener,
          3600,
        ),
      );
    }
    before = await storedState();
  });

  afterAll(() => {
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`);
    console.log(`fuzz: ${sent} generated requests (${byStatus.join(", ")})`);
  });

  it("has generators for exactly the app's routes", () => {
    expect(Object.keys(FUZZED).sort()).toEqual(appRoutes());
  });

  it.each(Object.entries(FUZZED))("%s", async (_route, generators) => {
    for (const { arb, runs } of generators) await fuzz(arb, runs);
  });

  it("junk: unknown paths, methods and headers", async () => {
    await fuzz(junk, JUNK_RUNS);
  });

  it("leaves the stored data as it was", async () => {
    // Anything wrongly accepted would reach D1 through the events queue within its batch timeout (2 s).
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await storedState()).toEqual(before);
    expect(sent).toBeGreaterThanOrEqual(10_000);
  });
});
