import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recommendationId, SURFACES } from "../../shared/analytics/attribution";
import { ACTIVITIES, DEVICES, EVENT_TYPES } from "../../shared/catalog/types";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { trackRow } from "../../shared/db/rows";
import { events, tracks } from "../../shared/db/schema";
import { generateDemoCatalog } from "../../shared/demo";
import { PLAYLIST_KINDS } from "../../shared/playlists";
import { OWN_PLAYLIST_LIMITS } from "../../shared/playlists/own";
import { app } from "../../workers/edge/app";
import { DASHBOARD_SHELL } from "../../workers/edge/dashboard";
import { DOCS_ASSETS } from "../../workers/edge/docs";
import { ROLES, type Role } from "../../shared/auth/api-key";
import { signListenerToken } from "../../workers/edge/auth/listener-token";
import {
  ACCESS,
  appRoutes,
  d1Tables,
  kvKeys,
  objectStorage,
  passSentinels,
  pseudonymOf,
  retrainAndPublish,
  sessionStub,
  storeApiKey,
  waitFor,
} from "./helpers";

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
  /** What a 2xx answer must say, beyond being one. */
  verify?: (body: Record<string, unknown>) => void;
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
/** An id an answer of this service could have carried. */
const servedId = fc
  .record({
    surface: fc.constantFrom(...SURFACES),
    modelVersion: fc.option(validId, { nil: null }),
    variant: fc.option(
      fc.tuple(validId, validId).map(([e, v]) => `${e}/${v}`),
      { nil: null },
    ),
    servedAt: fc.integer({ min: 0, max: Date.now() }),
    nonce: fc.stringMatching(/^[0-9a-f]{8}$/),
  })
  .map(({ nonce, ...a }) => recommendationId(a, nonce));
/** An id no answer carried: of another surface or version, cut short, or anything. */
const forgedId = fc.oneof(
  servedId.map((id) => id.replace(/^r1\.[^.]+/, "r1.nowhere")),
  servedId.map((id) => `r2${id.slice(2)}`),
  servedId.map((id) => id.slice(0, id.lastIndexOf("."))),
  nasty,
);
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
  const pattern = template.replace(/:[A-Za-z]+/g, "[^/]+").replace("*", ".+");
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
  // The shuffle's seed is a number, the radio's a track, artist, genre or list.
  seed: fc.oneof(fc.nat().map(String), fc.constantFrom("-1", "1e3", "99999999999"), radioSeed()),
  cursor: fc.constantFrom("st_0123456789abcdef.0", "st_0123456789abcdef.20", "st_x.1", "", "st_0123456789abcdef"),
  playlist: fc.constantFrom(...PLAYLIST_KINDS, "mix-dance", ""),
  radio: radioSeed(),
  station: fc.constantFrom("st_0123456789abcdef", "st_0123", ""),
};
/** Radio seeds: of each kind, known and unknown, and some that are none. */
function radioSeed() {
  const genre = CATALOG[0]!.genre;
  return fc.constantFrom(
    `track:${TRACK_IDS[0]}`,
    "track:trk-none",
    `artist:${CATALOG[0]!.artistId}`,
    `genre:${genre}`,
    `genre:${genre.toUpperCase()}`,
    "genre:polka",
    "playlist:discover-weekly",
    "playlist:my-list",
    "track:",
    "song:x",
    "genre:",
  );
}
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

/** Well-formed own playlist ids: the pool's listeners have none of them, so each names nothing. */
const ownPlaylistId = fc.stringMatching(/^[0-9a-f]{20}$/).map((hex) => `pl-${hex}`);
const playlistId = fc.oneof(fc.constantFrom(...PLAYLIST_KINDS), ownPlaylistId, idLike);
/** A route with an id in its path: the case generated for the template, with the id put in. */
const withId = (arb: fc.Arbitrary<FuzzCase>, ids: fc.Arbitrary<string>, param = ":id") =>
  fc.tuple(ids, arb).map(([id, c]) => ({ ...c, path: c.path.replace(param, enc(id)) }));

/** A listener's list: any kind, an own id, or a name that is neither. */
const playlistRead = withId(listenerRead("GET /v1/me/playlists/:id"), playlistId);
const shuffleRead = withId(listenerRead("GET /v1/me/playlists/:id/shuffle"), playlistId);

/** A public route: any query and any key (or none) get the same answer. */
const publicRead = (template: string, path: fc.Arbitrary<string> = fc.constant(template)): fc.Arbitrary<FuzzCase> =>
  fc.record({ path, query: queryArb, junkKey: fc.option(headerValue) }).map(({ path, query, junkKey }) => ({
    method: "GET",
    path: withQuery(path, query),
    template,
    headers: junkKey === null ? ({} as Record<string, string>) : { "x-api-key": junkKey },
    authorized: true,
    mustReject: false,
  }));

/** Operator reads, including with a real operator key: the retraining worker's own validation is fuzzed too. */
const adminRead: fc.Arbitrary<FuzzCase> = fc
  .record({
    creds: anyCredentials(["operator"], false, LISTENERS[0]!),
    sub: fc.oneof(
      fc.constantFrom(
        "models",
        "dlq",
        "metrics",
        "models/v20261124000000-abcdef",
        "experiments",
        "experiments/x00000000",
        "experiments/none/results",
      ),
      nasty.map((s) => `models/${enc(s)}`),
      nasty.map((s) => `experiments/${enc(s)}`),
      nasty.map((s) => `experiments/${enc(s)}/results`),
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
  {
    name: "forged recommendation id",
    apply: (b) => (firstEvent(b, listener).context = { recommendationId: "r1.nowhere.v1.-.0.00000000" }),
  },
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

/** A valid value for each field of an event but its id and listener. */
const validEvent = {
  trackId: fc.constantFrom(...TRACK_IDS),
  type: fc.constantFrom(...EVENT_TYPES.filter((t) => t !== "dislike")),
  timestamp: fc.integer({ min: Date.now() - 29 * 86_400_000, max: Date.now() }),
  positionMs: fc.integer({ min: 0, max: 600_000 }),
  msPlayed: fc.integer({ min: 0, max: 600_000 }),
  device: fc.constantFrom(...DEVICES),
  context: fc.record(
    {
      activity: fc.constantFrom(...ACTIVITIES),
      playlistId: validId,
      recommendationId: servedId,
      source: fc.constantFrom("radio", "library"),
    },
    { requiredKeys: [] },
  ),
};

/** Events for the listener, with hostile values mixed in and ids often repeated within a batch. */
const eventArb = (listener: string) =>
  fc.record(
    {
      id: mostly(fc.constantFrom("ev-1", "ev-2", "ev-3", "ev-4"), idLike, fc.integer()),
      listenerId: mostly(fc.constant(listener), idLike),
      trackId: mostly(validEvent.trackId, idLike),
      type: mostly(validEvent.type, nasty),
      timestamp: mostly(
        validEvent.timestamp,
        fc.integer({ min: Date.now() - 40 * 86_400_000, max: Date.now() + 86_400_000 }),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        nasty,
        fc.double(),
      ),
      positionMs: mostly(validEvent.positionMs, fc.integer(), fc.double(), nasty),
      msPlayed: mostly(validEvent.msPlayed, fc.integer({ min: -1e12, max: 1e12 })),
      device: mostly(validEvent.device, nasty),
      context: mostly(
        validEvent.context,
        fc.record({ activity: fc.constantFrom("dance", "") }),
        fc.record({ recommendationId: forgedId }),
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
        // An operator's route for a listener names them in the body, and needs no token of theirs.
        const authorized =
          keyFits(creds, access.roles) && (!access.listener || tokenListener(creds, listener) === listener);
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

/** Bodies of the own-playlist writes: mostly valid values, hostile ones mixed in. */
const playlistFields = {
  name: mostly(fc.string({ minLength: 1, maxLength: 30 }), nasty, anyJson),
  description: mostly(fc.string({ maxLength: 40 }), nasty),
  trackIds: mostly(fc.subarray(TRACK_IDS, { minLength: 1, maxLength: 5 }), fc.array(idLike, { maxLength: 3 }), anyJson),
  from: mostly(fc.constantFrom(...PLAYLIST_KINDS), nasty),
  position: mostly(fc.integer({ min: 1, max: 6 }), fc.integer(), fc.double(), nasty),
  positions: mostly(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }), anyJson),
  rangeStart: mostly(fc.integer({ min: 1, max: 6 }), fc.integer(), nasty),
  rangeLength: mostly(fc.integer({ min: 1, max: 3 }), fc.integer(), nasty),
  insertBefore: mostly(fc.integer({ min: 1, max: 7 }), fc.integer(), nasty),
};
const pick =
  (keys: (keyof typeof playlistFields)[], requiredKeys: string[] = []) =>
  (): fc.Arbitrary<Record<string, unknown>> =>
    fc.record(Object.fromEntries(keys.map((k) => [k, playlistFields[k]])) as Record<string, fc.Arbitrary<unknown>>, {
      requiredKeys,
    });
const tooLongName: Defect = {
  name: "name too long",
  apply: (b) => (b.value.name = "n".repeat(OWN_PLAYLIST_LIMITS.nameLength + 1)),
};
const unknownTracks: Defect = {
  name: "unknown track",
  apply: (b) => (b.value.trackIds = [TRACK_IDS[0], "no-such-track"]),
};
const noTracks: Defect = { name: "no tracks", apply: (b) => (b.value.trackIds = []) };
const tooManyTracks: Defect = {
  name: "too many tracks",
  apply: (b) => (b.value.trackIds = Array.from({ length: 101 }, () => TRACK_IDS[0])),
};
const notAnObject: Defect = { name: "not an object", apply: (b) => (b.text = JSON.stringify([b.value])) };

const createPlaylistWrite = writeCase(
  "POST /v1/me/playlists",
  () => "/v1/me/playlists",
  pick(["name", "description", "trackIds", "from"]),
  () => [
    ...jsonBodyDefects,
    tooLongName,
    unknownTracks,
    tooManyTracks,
    notAnObject,
    {
      name: "both from and trackIds",
      apply: (b) => Object.assign(b.value, { from: "daylist", trackIds: [TRACK_IDS[0]] }),
    },
    { name: "neither name nor from", apply: (b) => (b.value = { description: "x" }) },
  ],
);

const ownId = <T>(arb: fc.Arbitrary<FuzzCase>) => withId(arb, fc.oneof(ownPlaylistId, idLike));
const updatePlaylistWrite = ownId(
  writeCase(
    "PATCH /v1/me/playlists/:id",
    () => "/v1/me/playlists/:id",
    pick(["name", "description"]),
    () => [...jsonBodyDefects, tooLongName, notAnObject, { name: "nothing to change", apply: (b) => (b.value = {}) }],
  ),
);
const deletePlaylistWrite = ownId(
  writeCase(
    "DELETE /v1/me/playlists/:id",
    () => "/v1/me/playlists/:id",
    null,
    () => [credentialsDefect, unknownQuery],
  ),
);
const addTracksWrite = ownId(
  writeCase(
    "POST /v1/me/playlists/:id/tracks",
    () => "/v1/me/playlists/:id/tracks",
    pick(["trackIds", "position"], ["trackIds"]),
    () => [
      ...jsonBodyDefects,
      unknownTracks,
      noTracks,
      tooManyTracks,
      { name: "position 0", apply: (b) => (b.value.position = 0) },
    ],
  ),
);
const removeTracksWrite = ownId(
  writeCase(
    "DELETE /v1/me/playlists/:id/tracks",
    () => "/v1/me/playlists/:id/tracks",
    pick(["positions", "trackIds"]),
    () => [
      ...jsonBodyDefects,
      {
        name: "both positions and ids",
        apply: (b) => Object.assign(b.value, { positions: [1], trackIds: [TRACK_IDS[0]] }),
      },
      { name: "neither positions nor ids", apply: (b) => (b.value = {}) },
      { name: "position 0", apply: (b) => (b.value = { positions: [0] }) },
    ],
  ),
);
const reorderTracksWrite = ownId(
  writeCase(
    "PUT /v1/me/playlists/:id/tracks",
    () => "/v1/me/playlists/:id/tracks",
    pick(["rangeStart", "rangeLength", "insertBefore"], ["rangeStart", "insertBefore"]),
    () => [
      ...jsonBodyDefects,
      { name: "no range", apply: (b) => delete b.value.rangeStart },
      { name: "range length 0", apply: (b) => (b.value.rangeLength = 0) },
    ],
  ),
);

const ARTIST_IDS = [...new Set(CATALOG.map((t) => t.artistId))];
const artistId = fc.oneof(
  fc.constantFrom(...ARTIST_IDS),
  validId.map((id) => `missing-${id}`.slice(0, 64)),
  idLike,
);
const followWrite = (method: "PUT" | "DELETE") =>
  withId(
    writeCase(
      `${method} /v1/me/following/:artistId`,
      () => "/v1/me/following/:artistId",
      null,
      () => [credentialsDefect, unknownQuery],
    ),
    artistId,
    ":artistId",
  );

/** The dashboard's application: any key but an operator's is refused; query parameters are ignored. */
const dashboardApp: fc.Arbitrary<FuzzCase> = fc
  .record({ creds: anyCredentials(["operator"], false, LISTENERS[0]!), query: queryArb })
  .map(({ creds, query }) => ({
    method: "GET",
    path: withQuery("/dashboard/app.js", query),
    template: "/dashboard/app.js",
    headers: credentialHeaders(creds, LISTENERS[0]!),
    authorized: keyFits(creds, ["operator"]),
    mustReject: false,
  }));

/** Support requests name a listener by raw id in the body: always with a defect, so nothing is changed or erased. */
const supportDefects = (): Defect[] => [
  ...jsonBodyDefects,
  { name: "not an id", apply: (b) => (b.value.listenerId = "a/b") },
  { name: "no id", apply: (b) => delete b.value.listenerId },
  { name: "not an object", apply: (b) => (b.text = JSON.stringify([b.value])) },
];
const supportWrite = (what: string, consent = false) =>
  writeCase(
    `POST /admin/listeners/${what}`,
    () => `/admin/listeners/${what}`,
    (listener) =>
      consent
        ? fc.record(
            {
              listenerId: fc.constant(listener),
              personalization: fc.oneof(fc.boolean(), anyJson),
              analytics: fc.oneof(fc.boolean(), anyJson),
            },
            { requiredKeys: ["listenerId"] },
          )
        : fc.record({ listenerId: fc.oneof(fc.constant(listener), idLike) }),
    () =>
      consent
        ? [...supportDefects(), { name: "not a boolean", apply: (b) => (b.value.analytics = "no") }]
        : supportDefects(),
  );

/** Operator writes without an operator key: whatever they ask, the door stays shut. */
const adminWrite: fc.Arbitrary<FuzzCase> = fc
  .record({
    method: fc.constantFrom("POST", "PUT", "DELETE", "PATCH"),
    sub: fc.oneof(
      fc.constantFrom(
        "seed",
        "retrain",
        "import/tracks",
        "models/rollback",
        "dlq/replay",
        "experiments",
        "experiments/x00000000/start",
        "experiments/x00000000/ship",
      ),
      nasty.map(enc),
    ),
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

/** A synthetic run small enough to train in a moment; the defects below make it invalid. */
const TINY_RUN = { listeners: 5, items: 5, interactions: 10 };
const badSyntheticRun = fc.oneof(
  fc.constantFrom<unknown>(
    { ...TINY_RUN, listeners: 0 },
    { ...TINY_RUN, items: 1 },
    { ...TINY_RUN, interactions: 4 },
    { ...TINY_RUN, interactions: 10.5 },
    { ...TINY_RUN, listeners: "5" },
    { ...TINY_RUN, items: 1e9 },
    { ...TINY_RUN, seed: -1 },
    { listeners: 5, items: 5 },
    [TINY_RUN],
    null,
  ),
  fc.record({ key: nasty, value: anyJson }).map(({ key, value }) => ({ ...TINY_RUN, [`x${key}`]: value })),
);

/** Import bodies the route must refuse whole: not {"rows": [...]} with 1 to 1,000 rows. */
const badImportBody = fc.oneof(
  nasty,
  anyJson.filter((v) => !Array.isArray((v as { rows?: unknown } | null)?.rows)).map((v) => JSON.stringify(v)),
  fc.constantFrom(
    JSON.stringify({ rows: [] }),
    JSON.stringify({ rows: Array.from({ length: 1001 }, () => ({})) }),
    '{"rows": [',
  ),
);
/** Rows that each fail validation (or name no known track), so an import of them stores nothing. */
const rejectedImportRows = fc.array(
  fc.oneof(
    anyJson,
    fc.constantFrom(...CATALOG).map((t) => ({ ...t, unexpected: 1 })),
    fc.record({ listener: validId, trackId: validId.map((id) => `missing-${id}`.slice(0, 64)), weight: fc.integer() }),
  ),
  { minLength: 1, maxLength: 5 },
);

interface OperatorCall {
  method: string;
  sub: string;
  body?: string;
  mustReject: boolean;
  /** What a 2xx answer must say, beyond being one. */
  verify?: (body: Record<string, unknown>) => void;
}
const unknownVersion = fc
  .tuple(fc.integer({ min: 2020, max: 2099 }), fc.stringMatching(/^[0-9a-f]{6}$/))
  .map(([year, hex]) => `v${year}0101000000-${hex}`);

/**
 * Operator routes with a real operator key, none of which may change anything: reads, replays of an
 * empty dead-letter store, refused imports and runs, promotion of versions that do not exist and a
 * rollback with nothing to roll back to. Seed and retrain start real retrains, so they are left out.
 */
const operatorCall: fc.Arbitrary<FuzzCase> = fc
  .record({
    index: fc.nat(3),
    query: fc.oneof({ weight: 3, arbitrary: fc.constant<[string, string][]>([]) }, queryArb),
    call: fc.oneof<fc.Arbitrary<OperatorCall>[]>(
      fc.constantFrom<OperatorCall>(
        { method: "GET", sub: "models", mustReject: false },
        { method: "GET", sub: "dlq", mustReject: false },
        { method: "POST", sub: "models/rollback", mustReject: true },
        { method: "GET", sub: "experiments", mustReject: false },
      ),
      // Experiments that are not valid definitions are refused, and so are changes of ones that do not exist.
      fc
        .oneof(
          anyJson.map((v) => JSON.stringify(v)),
          nasty,
          fc.constantFrom(
            JSON.stringify({ name: "x", hypothesis: "y", variants: [{ name: "a", share: 1 }] }),
            JSON.stringify({
              name: "x",
              hypothesis: "y",
              variants: [
                { name: "a", share: 0.5 },
                { name: "b", share: 0.5, overrides: { explorationShare: 0.9 } },
              ],
              primaryMetric: "skipRate",
              minimumDetectableEffect: 0.05,
            }),
          ),
        )
        .map((body) => ({ method: "POST", sub: "experiments", body, mustReject: true })),
      fc.constantFrom("GET", "POST").map((method) => ({
        method,
        sub: "dlq" + (method === "POST" ? "/replay" : ""),
        mustReject: false,
        verify: (b: Record<string, unknown>) =>
          expect(b).toMatchObject(method === "POST" ? { replayed: 0 } : { unreplayed: 0 }),
      })),
      // A name of dots only would be normalized away into another path.
      fc
        .oneof(
          unknownVersion,
          nasty.map(enc).filter((v) => !/^\.*$/.test(v)),
        )
        .chain((v) =>
          fc.constantFrom<OperatorCall>(
            { method: "GET", sub: `models/${v}`, mustReject: true },
            { method: "POST", sub: `models/${v}/promote`, mustReject: true },
            { method: "GET", sub: `synthetic-training/${v}`, mustReject: true },
            { method: "GET", sub: `experiments/${v}`, mustReject: true },
            { method: "POST", sub: `experiments/${v}/start`, mustReject: true },
            { method: "POST", sub: `experiments/${v}/ship`, body: '{"variant": "a"}', mustReject: true },
          ),
        ),
      fc.constantFrom("tracks", "interactions").chain((kind) =>
        fc.oneof(
          badImportBody.map((body) => ({ method: "POST", sub: `import/${kind}`, body, mustReject: true })),
          rejectedImportRows.map((rows) => ({
            method: "POST",
            sub: `import/${kind}`,
            body: JSON.stringify({ rows }),
            mustReject: false,
            verify: (b: Record<string, unknown>) => expect(b).toMatchObject({ accepted: 0 }),
          })),
        ),
      ),
      fc
        .oneof(
          badSyntheticRun.map((v) => JSON.stringify(v)),
          nasty,
        )
        .map((body) => ({
          method: "POST",
          sub: "synthetic-training",
          body,
          mustReject: true,
        })),
      fc
        .record({
          method: fc.constantFrom("PUT", "PATCH", "DELETE"),
          sub: fc.constantFrom("models", "dlq", "seed", "retrain"),
        })
        .map(({ method, sub }) => ({ method, sub, mustReject: true })),
    ),
  })
  .map(({ index, query, call }) => ({
    method: call.method,
    // Only the read and replay routes take query parameters; elsewhere any given are ignored or refused.
    path: withQuery(`/admin/${call.sub}`, call.method === "GET" || call.sub === "dlq/replay" ? query : []),
    template: "/admin/*",
    headers: { "x-api-key": KEYS.operator[index]!, "content-type": "application/json" },
    body: call.body,
    authorized: true,
    mustReject: call.mustReject,
    verify: call.verify,
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

/**
 * The Alexa endpoint's door is Amazon's signature, which nothing here can make: whatever the
 * headers, keys, tokens and bodies (envelopes among them, for another skill or too old to reach
 * the certificate fetch), every request is refused.
 */
const alexaCertUrl = fc.oneof(
  fc.constantFrom(
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../x/cert.pem",
    "https://evil.example/echo.api/cert.pem",
  ),
  headerValue,
);
const alexaEnvelope = fc
  .record({
    applicationId: fc.oneof(fc.constant("amzn1.ask.skill.someone-else"), nasty),
    timestamp: fc.oneof(fc.constant("2020-01-01T00:00:00Z"), nasty),
    type: fc.constantFrom("LaunchRequest", "IntentRequest", "AudioPlayer.PlaybackStarted", "Teleport"),
    accessToken: fc.constantFrom(...LISTENERS).map((l) => tokens.own.get(l) ?? l),
  })
  .map(({ applicationId, timestamp, type, accessToken }) => ({
    version: "1.0",
    context: { System: { application: { applicationId }, user: { accessToken } } },
    request: { type, requestId: "amzn1.echo-api.request.fuzz", timestamp, intent: { name: "AMAZON.NextIntent" } },
  }));
const alexaCall: fc.Arbitrary<FuzzCase> = fc
  .record({
    creds: fc.constantFrom(...LISTENERS).chain((l) => fc.tuple(fc.constant(l), anyCredentials(ROLES, true, l))),
    certUrl: fc.option(alexaCertUrl),
    signature: fc.option(fc.oneof(headerValue, fc.base64String({ minLength: 4, maxLength: 400 }))),
    body: fc.oneof(
      alexaEnvelope.map((v) => JSON.stringify(v)),
      anyJson.map((v) => JSON.stringify(v)),
      nasty,
    ),
  })
  .map(({ creds: [listener, creds], certUrl, signature, body }) => ({
    method: "POST",
    path: "/v1/speaker/alexa",
    template: "/v1/speaker/alexa",
    headers: {
      ...credentialHeaders(creds, listener),
      "content-type": "application/json",
      ...(certUrl === null ? {} : { SignatureCertChainUrl: certUrl }),
      ...(signature === null ? {} : { "Signature-256": signature }),
    },
    body,
    authorized: null,
    mustReject: true,
  }));

/** The generators for every route of the app; the first test checks none is missing. */
const FUZZED: Record<string, { arb: fc.Arbitrary<FuzzCase>; runs: number }[]> = {
  "GET /health": [{ arb: publicRead("/health"), runs: 200 }],
  "GET /openapi.json": [{ arb: publicRead("/openapi.json"), runs: 20 }],
  "GET /docs": [{ arb: publicRead("/docs"), runs: 50 }],
  "GET /docs/assets/:file": [
    {
      arb: publicRead(
        "/docs/assets/:file",
        fc.oneof(fc.constantFrom(...DOCS_ASSETS), nasty.map(enc)).map((file) => `/docs/assets/${file}`),
      ),
      runs: 100,
    },
  ],
  "GET /v1/me/recommendations": [{ arb: listenerRead("GET /v1/me/recommendations"), runs: 400 }],
  "GET /v1/me/now-playing": [{ arb: listenerRead("GET /v1/me/now-playing"), runs: 400 }],
  "GET /v1/me/consent": [{ arb: listenerRead("GET /v1/me/consent"), runs: 400 }],
  "GET /v1/me/export": [{ arb: listenerRead("GET /v1/me/export"), runs: 300 }],
  "GET /v1/speaker/next": [{ arb: listenerRead("GET /v1/speaker/next"), runs: 400 }],
  "POST /v1/speaker/alexa": [{ arb: alexaCall, runs: 400 }],
  // The listing makes every kind of list on a listener's first request of a period.
  "GET /v1/me/playlists": [{ arb: listenerRead("GET /v1/me/playlists"), runs: 100 }],
  "GET /v1/me/playlists/:id": [{ arb: playlistRead, runs: 400 }],
  "GET /v1/me/playlists/:id/shuffle": [{ arb: shuffleRead, runs: 150 }],
  "POST /v1/me/playlists": [{ arb: createPlaylistWrite, runs: 300 }],
  "PATCH /v1/me/playlists/:id": [{ arb: updatePlaylistWrite, runs: 150 }],
  "DELETE /v1/me/playlists/:id": [{ arb: deletePlaylistWrite, runs: 150 }],
  "POST /v1/me/playlists/:id/tracks": [{ arb: addTracksWrite, runs: 150 }],
  "DELETE /v1/me/playlists/:id/tracks": [{ arb: removeTracksWrite, runs: 150 }],
  "PUT /v1/me/playlists/:id/tracks": [{ arb: reorderTracksWrite, runs: 150 }],
  "GET /v1/me/following": [{ arb: listenerRead("GET /v1/me/following"), runs: 150 }],
  "PUT /v1/me/following/:artistId": [{ arb: followWrite("PUT"), runs: 150 }],
  "DELETE /v1/me/following/:artistId": [{ arb: followWrite("DELETE"), runs: 150 }],
  "GET /v1/me/radio": [{ arb: listenerRead("GET /v1/me/radio"), runs: 400 }],
  "GET /v1/tracks/:id": [{ arb: catalogRead("GET /v1/tracks/:id"), runs: 500 }],
  "GET /v1/tracks/:id/similar": [{ arb: catalogRead("GET /v1/tracks/:id/similar"), runs: 500 }],
  "GET /v1/charts/top": [{ arb: catalogRead("GET /v1/charts/top"), runs: 500 }],
  "POST /v1/events": [{ arb: eventsWrite, runs: 1500 }],
  "PUT /v1/me/consent": [{ arb: consentWrite, runs: 500 }],
  "POST /v1/me/onboarding": [{ arb: onboardingWrite, runs: 400 }],
  "DELETE /v1/me": [{ arb: eraseWrite, runs: 500 }],
  "GET /dashboard": [{ arb: publicRead("/dashboard"), runs: 50 }],
  "GET /dashboard/assets/:file": [
    {
      arb: publicRead(
        "/dashboard/assets/:file",
        fc.oneof(fc.constantFrom(...DASHBOARD_SHELL), nasty.map(enc)).map((file) => `/dashboard/assets/${file}`),
      ),
      runs: 100,
    },
  ],
  "GET /dashboard/app.js": [{ arb: dashboardApp, runs: 100 }],
  "POST /admin/listeners/lookup": [{ arb: supportWrite("lookup"), runs: 150 }],
  "POST /admin/listeners/consent": [{ arb: supportWrite("consent", true), runs: 150 }],
  "POST /admin/listeners/export": [{ arb: supportWrite("export"), runs: 150 }],
  "POST /admin/listeners/erase": [{ arb: supportWrite("erase"), runs: 150 }],
  "ALL /admin/*": [
    { arb: adminRead, runs: 600 },
    { arb: adminWrite, runs: 500 },
    { arb: operatorCall, runs: 300 },
  ],
};
const JUNK_RUNS = 1_500;
const VALID_RUNS = 300;

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
  if (c.verify && res.status < 300) c.verify(JSON.parse(text) as Record<string, unknown>);
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

/**
 * Every D1 row (but those `ignore` picks out, as a digest, with the row counts), every KV key, and
 * the session objects' storage of the pool's listeners.
 */
const DERIVED_FROM_DELIVERIES = new Set(["lake_objects", "ingest_progress", "queue_lag"]);

async function storedState(ignore: (table: string, row: Record<string, unknown>) => boolean = () => false) {
  const counts: Record<string, number> = {};
  let rows = "";
  for (const [name, all] of Object.entries(await d1Tables())) {
    // KPI rollups and the lake's index are derived from the events (added to as each batch lands: the
    // sentinels' batches add theirs), ingest_progress is the consumer's bookkeeping of each batch it stores
    // and the queue lag counts deliveries, which the sentinels make whatever the requests did: the events
    // themselves are compared.
    if (name.startsWith("kpi_") || DERIVED_FROM_DELIVERIES.has(name)) continue;
    const kept = all.filter((row) => !ignore(name, row));
    counts[name] = kept.length;
    rows += JSON.stringify(kept);
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(rows));
  return { counts, digest: Array.from(new Uint8Array(digest)).join(","), kvKeys: await kvKeys() };
}

/**
 * The pool's session objects, less their delivery bookkeeping: a sentinel's outbox row, and the alarm
 * that drains it, change as its delivery is confirmed, whatever the requests did. Any other outbox
 * row is compared, so a refused request that queued something is still caught.
 */
async function sessionStorage() {
  return Promise.all(
    LISTENERS.map(async (l) => {
      // A list read is frozen for its period and the time zone it came with is remembered, a station
      // keeps what it served and a list played on a speaker where it is: reads that write by design,
      // as the playlist and radio tests show; everything else must stay as it was.
      const {
        generated_playlists: _,
        preferences: __,
        radio_stations: ___,
        radio_served: ____,
        list_progress: _____,
        ...tables
      } = (await objectStorage(sessionStub(await pseudonymOf(l)))).tables;
      const outbox = (tables.outbox ?? []) as { key: string }[];
      return { ...tables, outbox: outbox.map((row) => row.key).filter((key) => !key.includes("sentinel-")) };
    }),
  );
}

/** Sentinel event ids: one pass before the refused requests, one after them, one after the valid writes. */
const SENTINELS = {
  before: `sentinel-before-${RUN}`,
  refused: `sentinel-refused-${RUN}`,
  valid: `sentinel-valid-${RUN}`,
};

// ---------------------------------------------------------------- valid writes

/** What the API says each pool listener has: consent, and which events D1 must end up holding. */
interface ListenerModel {
  consent: { personalization: boolean; analytics: boolean };
  /** Ids of the events D1 must hold (onboarding's aside). */
  events: Set<string>;
  /** Tracks liked through onboarding that D1 must hold. */
  onboarded: Set<string>;
  /** Every event id the listener ever sent, for repeats across requests. */
  sent: string[];
  /** Own playlists the answers say the listener has (id to tracks), and the artists they follow. */
  playlists: Map<string, string[]>;
  following: Set<string>;
}
const DEFAULT_CONSENT = { personalization: true, analytics: true };
const model = new Map<string, ListenerModel>(
  LISTENERS.map((l) => [
    l,
    {
      consent: { ...DEFAULT_CONSENT },
      events: new Set([SENTINELS.before]),
      onboarded: new Set(),
      sent: [],
      playlists: new Map(),
      following: new Set(),
    },
  ]),
);
let nextEventId = 0;
/** Ids the valid writes make up; anything else in a pool listener's D1 rows is onboarding's or a sentinel. */
const VALID_ID_PREFIX = `v-${RUN}-`;

type ValidWrite =
  | {
      kind: "events";
      listener: string;
      /** Each event is new, a repeat of one before it in the batch, or a repeat of one sent earlier. */
      events: { repeat: "none" | "batch" | "earlier"; of: number; fields: Record<string, unknown> }[];
    }
  | { kind: "consent"; listener: string; change: Partial<ListenerModel["consent"]> }
  | { kind: "onboarding"; listener: string; artists: string[]; genres: string[] }
  | { kind: "erase"; listener: string }
  /** A new playlist edited in a row of ways, and an artist followed or unfollowed: under any consent. */
  | {
      kind: "library";
      listener: string;
      trackIds: string[];
      added: string[];
      position: number;
      move: { rangeStart: number; insertBefore: number };
      removeAt: number;
      artist: string;
      follow: boolean;
    };

const pool = fc.constantFrom(...LISTENERS);
const CATALOG_ARTISTS = [...new Set(CATALOG.map((t) => t.artistId))];
const CATALOG_GENRES = [...new Set(CATALOG.map((t) => t.genre))];
const validWrite: fc.Arbitrary<ValidWrite> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("events" as const),
      listener: pool,
      events: fc.array(
        fc.record({
          repeat: fc.constantFrom("none", "none", "none", "batch", "earlier"),
          of: fc.nat(),
          fields: fc.oneof(
            fc.record(validEvent, { requiredKeys: ["trackId", "type"] }),
            fc.record({
              trackId: validEvent.trackId,
              type: fc.constant("dislike"),
              target: fc.constantFrom("track", "artist"),
              timestamp: validEvent.timestamp,
            }),
          ),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("consent" as const),
      listener: pool,
      change: fc.record({ personalization: fc.boolean(), analytics: fc.boolean() }, { requiredKeys: [] }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        kind: fc.constant("onboarding" as const),
        listener: pool,
        artists: fc.subarray(CATALOG_ARTISTS, { maxLength: 2 }),
        // Genres match whatever their case.
        genres: fc
          .subarray(CATALOG_GENRES, { maxLength: 2 })
          .chain((gs) => fc.tuple(...gs.map((g) => fc.constantFrom(g, g.toUpperCase(), g.toLowerCase())))),
      })
      .filter((w) => w.artists.length + w.genres.length > 0),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("erase" as const), listener: pool }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("library" as const),
      listener: pool,
      trackIds: fc.subarray(TRACK_IDS, { minLength: 1, maxLength: 5 }),
      added: fc.subarray(TRACK_IDS, { minLength: 1, maxLength: 3 }),
      position: fc.nat(),
      move: fc.record({ rangeStart: fc.nat(), insertBefore: fc.nat() }),
      removeAt: fc.nat(),
      artist: fc.constantFrom(...CATALOG_ARTISTS),
      follow: fc.boolean(),
    }),
  },
);

async function sendValid(method: string, path: string, listener: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {
    "x-api-key": KEYS.client[nextEventId % KEYS.client.length]!,
    authorization: `Bearer ${tokens.own.get(listener)}`,
  };
  if (body !== undefined) headers["content-type"] = "application/json";
  const c: FuzzCase = {
    method,
    path,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    template: path,
    authorized: true,
    mustReject: false,
  };
  return send(c);
}

async function answer<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, `${res.url} -> ${res.status} ${text.slice(0, 300)}`).toBe(status);
  return JSON.parse(text) as T;
}

/** Sends one valid write, checks the answer and updates the model with what it promises. */
async function runValid(w: ValidWrite) {
  const m = model.get(w.listener)!;
  switch (w.kind) {
    case "events": {
      const ids: string[] = [];
      const events = w.events.map(({ repeat, of, fields }, i) => {
        const id =
          repeat === "batch" && i > 0
            ? ids[of % i]!
            : repeat === "earlier" && m.sent.length > 0
              ? m.sent[of % m.sent.length]!
              : `${VALID_ID_PREFIX}${nextEventId++}`;
        ids.push(id);
        return { id, ...fields };
      });
      const unique = new Set(ids);
      const got = await answer<{ accepted: number; duplicates: number; notStored: number }>(
        await sendValid("POST", "/v1/events", w.listener, { events }),
        202,
      );
      expect(got.accepted + got.duplicates + got.notStored).toBe(events.length);
      // Repeats within the batch are duplicates; repeats of earlier requests may be counted as such too.
      expect(got.duplicates).toBeGreaterThanOrEqual(events.length - unique.size);
      if (m.consent.personalization) {
        expect(got.notStored).toBe(0);
        for (const id of unique) m.events.add(id);
      } else {
        expect(got).toMatchObject({ accepted: 0, notStored: unique.size });
      }
      m.sent.push(...[...unique].filter((id) => !m.sent.includes(id)));
      return;
    }
    case "consent": {
      const expected = { ...m.consent, ...w.change };
      expect(await answer(await sendValid("PUT", "/v1/me/consent", w.listener, w.change), 200)).toEqual(expected);
      expect(await answer(await sendValid("GET", "/v1/me/consent", w.listener), 200)).toEqual(expected);
      // Withdrawing personalization forgets the live session; what D1 holds stays (as the API has it today).
      m.consent = expected;
      return;
    }
    case "onboarding": {
      const got = await answer<{ seedTracks: string[]; accepted: number; duplicates: number; notStored: number }>(
        await sendValid("POST", "/v1/me/onboarding", w.listener, { artists: w.artists, genres: w.genres }),
        202,
      );
      const byId = new Map(CATALOG.map((t) => [t.id, t]));
      const chosen = (id: string) => {
        const t = byId.get(id);
        return (
          !!t && (w.artists.includes(t.artistId) || w.genres.some((g) => g.toLowerCase() === t.genre.toLowerCase()))
        );
      };
      expect(got.seedTracks.length).toBeGreaterThan(0);
      expect(got.seedTracks.filter((id) => !chosen(id))).toEqual([]);
      expect(got.accepted + got.duplicates + got.notStored).toBe(got.seedTracks.length);
      if (m.consent.personalization) {
        expect(got.notStored).toBe(0);
        for (const id of got.seedTracks) m.onboarded.add(id);
      } else {
        expect(got.accepted).toBe(0);
      }
      return;
    }
    case "library": {
      // Positions are drawn within the playlist as it stands at each step (1-based, as answers number tracks).
      type Own = { id: string; tracks: { id: string }[] };
      const ids = (p: Own) => p.tracks.map((t) => t.id);
      const made = await answer<Own>(
        await sendValid("POST", "/v1/me/playlists", w.listener, { name: "fz", trackIds: w.trackIds }),
        201,
      );
      expect(ids(made)).toEqual(w.trackIds);
      const path = `/v1/me/playlists/${made.id}`;
      let expected = [...w.trackIds];
      const position = (w.position % (expected.length + 1)) + 1;
      expected.splice(position - 1, 0, ...w.added);
      expect(
        ids(
          await answer<Own>(
            await sendValid("POST", `${path}/tracks`, w.listener, { trackIds: w.added, position }),
            200,
          ),
        ),
      ).toEqual(expected);
      const rangeStart = (w.move.rangeStart % expected.length) + 1;
      const insertBefore = (w.move.insertBefore % (expected.length + 1)) + 1;
      const moved = [...expected];
      const [track] = moved.splice(rangeStart - 1, 1);
      moved.splice(insertBefore > rangeStart ? insertBefore - 2 : insertBefore - 1, 0, track!);
      expected = moved;
      expect(
        ids(await answer<Own>(await sendValid("PUT", `${path}/tracks`, w.listener, { rangeStart, insertBefore }), 200)),
      ).toEqual(expected);
      const removeAt = (w.removeAt % expected.length) + 1;
      expected.splice(removeAt - 1, 1);
      expect(
        ids(await answer<Own>(await sendValid("DELETE", `${path}/tracks`, w.listener, { positions: [removeAt] }), 200)),
      ).toEqual(expected);
      m.playlists.set(made.id, expected);
      for (const [id, tracks] of m.playlists)
        expect(ids(await answer<Own>(await sendValid("GET", `/v1/me/playlists/${id}`, w.listener), 200)), id).toEqual(
          tracks,
        );
      const followed = await answer<{ artists: { id: string }[] }>(
        await sendValid(w.follow ? "PUT" : "DELETE", `/v1/me/following/${w.artist}`, w.listener),
        200,
      );
      if (w.follow) m.following.add(w.artist);
      else m.following.delete(w.artist);
      expect(new Set(followed.artists.map((a) => a.id))).toEqual(m.following);
      return;
    }
    case "erase": {
      expect(await answer(await sendValid("DELETE", "/v1/me", w.listener), 200)).toMatchObject({ erased: true });
      // Every trace in the session object goes at once, whatever tables it keeps.
      const left = await objectStorage(sessionStub(await pseudonymOf(w.listener)));
      expect(Object.values(left.tables).flat(), "session object rows after erasure").toEqual([]);
      expect(left.alarm).toBeNull();
      expect(await answer(await sendValid("GET", "/v1/me/consent", w.listener), 200)).toEqual(DEFAULT_CONSENT);
      m.consent = { ...DEFAULT_CONSENT };
      m.events.clear();
      m.onboarded.clear();
      // Own playlists and follows go with the rest.
      for (const id of m.playlists.keys())
        expect((await sendValid("GET", `/v1/me/playlists/${id}`, w.listener)).status).toBe(404);
      m.playlists.clear();
      m.following.clear();
      return;
    }
  }
}

// ---------------------------------------------------------------- the run

describe("fuzzing every route", () => {
  let before: Awaited<ReturnType<typeof storedState>>;
  let sessionsBefore: Awaited<ReturnType<typeof sessionStorage>>;
  let modelVersion: string;

  beforeAll(async () => {
    await env.DB.batch(bulkInsertStatements(env.DB, tracks, CATALOG.map(trackRow), "ignore"));
    // A few plays in the chart window, so the speaker, charts and the first model have something to go on.
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
    // The pool's listeners and session objects exist, and the path to D1 works, before the baseline.
    await passSentinels(LISTENERS, TRACK_IDS[0]!, SENTINELS.before);
    before = await storedState();
    sessionsBefore = await sessionStorage();
  }, 60_000);

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

  it("refused requests and reads leave the stored data as it was", async () => {
    // A session object changes before it answers, so it is compared as the requests left it.
    expect(await sessionStorage()).toEqual(sessionsBefore);
    // Whatever a refused request put on the way to D1 is ahead of its listener's sentinel.
    await passSentinels(LISTENERS, TRACK_IDS[0]!, SENTINELS.refused);
    expect(await storedState((table, row) => table === "events" && row.event_id === SENTINELS.refused)).toEqual(before);
    expect(sent).toBeGreaterThanOrEqual(9_000);
    for (const m of model.values()) m.events.add(SENTINELS.refused);
  });

  it("valid writes get 2xx and do what the answers say", { timeout: 120_000 }, async () => {
    // Onboarding picks from a live model's catalog. (Published only now: reads above, with no model,
    // fall back to D1 and take a third of the time.)
    modelVersion = await retrainAndPublish();
    await fc.assert(
      fc.asyncProperty(validWrite, async (w) => runValid(w)),
      // Each write changes what the next one expects, so a failure is reported as found, not shrunk.
      { numRuns: VALID_RUNS, endOnFailure: true },
    );
    for (const listener of LISTENERS) {
      await runValid({ kind: "consent", listener, change: DEFAULT_CONSENT });
      model.get(listener)!.events.add(SENTINELS.valid);
    }
    await passSentinels(LISTENERS, TRACK_IDS[0]!, SENTINELS.valid);
    for (const listener of LISTENERS) {
      const m = model.get(listener)!;
      const rows = (
        await env.DB.prepare("SELECT event_id, track_id, type FROM events WHERE listener_id = ?")
          .bind(await pseudonymOf(listener))
          .all<{ event_id: string; track_id: string; type: string }>()
      ).results;
      const ours = (id: string) => id.startsWith(VALID_ID_PREFIX) || Object.values(SENTINELS).includes(id);
      const onboarding = rows.filter((r) => !ours(r.event_id));
      expect(
        rows
          .filter((r) => ours(r.event_id))
          .map((r) => r.event_id)
          .sort(),
        listener,
      ).toEqual([...m.events].sort());
      expect(new Set(onboarding.map((r) => r.track_id)), listener).toEqual(m.onboarded);
      expect(
        onboarding.filter((r) => r.type !== "like"),
        listener,
      ).toEqual([]);
    }
  });

  it("operator writes with an operator key do what the answers say", async () => {
    const promoted = await answer<{ current: { version: string } }>(
      await send({
        method: "POST",
        path: `/admin/models/${modelVersion}/promote`,
        headers: { "x-api-key": KEYS.operator[0]! },
        template: "/admin/*",
        authorized: true,
        mustReject: false,
      }),
      200,
    );
    expect(promoted.current.version).toBe(modelVersion);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 20 }), async (seed) => {
        const operator = {
          "x-api-key": KEYS.operator[seed % KEYS.operator.length]!,
          "content-type": "application/json",
        };
        const size = { ...TINY_RUN, seed };
        const started = await answer<{ run: string; status: string }>(
          await send({
            method: "POST",
            path: "/admin/synthetic-training",
            headers: operator,
            body: JSON.stringify(size),
            template: "/admin/*",
            authorized: true,
            mustReject: false,
          }),
          202,
        );
        expect(started.status).toBe("training");
        const record = await answer<{ run: string; size: unknown }>(
          await send({
            method: "GET",
            path: `/admin/synthetic-training/${started.run}`,
            headers: operator,
            template: "/admin/*",
            authorized: true,
            mustReject: false,
          }),
          200,
        );
        expect(record).toMatchObject({ run: started.run, size });
      }),
      { numRuns: 3 },
    );
  });
});
