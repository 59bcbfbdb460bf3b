import { exports } from "cloudflare:workers";
import type { ZodType } from "zod";
import { beforeAll, describe, expect, it } from "vitest";
import { credentials, setlistClient } from "../../client";
import { PROBLEM_CONTENT_TYPE } from "../../shared/api/problem";
import { OWN_PLAYLIST_ID } from "../../shared/playlists/own";
import { API_KEY_SCHEME, LISTENER_TOKEN_SCHEME } from "../../shared/api/openapi";
import { app } from "../../workers/edge/app";
import { ACCESS, appRoutes, edge, seedAndPublish, TEST_KEYS, tokenFor } from "./helpers";

interface Parameter {
  name: string;
  in: "path" | "query";
  example?: string;
  schema?: { example?: string };
}
interface Operation {
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

const METHODS = ["get", "post", "put", "patch", "delete"];
const LISTENER = "demo-1";

/** A route of the app as the document names it: `{id}` for `:id`; the operator proxy's wildcard as its parameter. */
const documentedPath = (path: string) => path.replace(/:(\w+)/g, "{$1}").replace(/\/\*$/, "/{operatorPath}");

const res = await edge("/openapi.json");
const document = (await res.json()) as Document;
const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ method, path, op })),
);

/** The zod schema a route documents for an answer: the very one the document was made from. */
function documentedSchema(method: string, path: string, status: number, contentType: string): ZodType | undefined {
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== "route" || def.route.method !== method || def.route.path !== path) continue;
    const response = def.route.responses[status] as { content?: Record<string, { schema: ZodType }> } | undefined;
    const content = response?.content;
    return content?.[contentType.split(";")[0]!]?.schema;
  }
  return undefined;
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1, served as JSON", () => {
    expect(res.status).toBe(200);
    expect(document.openapi).toBe("3.1.0");
  });

  it("documents every route the app serves, with its methods, and no route it does not serve", () => {
    const served = appRoutes().flatMap((route) => {
      const [method, path] = route.split(" ") as [string, string];
      const methods = method === "ALL" ? METHODS : [method.toLowerCase()];
      return methods.map((m) => `${m} ${documentedPath(path)}`);
    });
    const documented = operations.map(({ method, path }) => `${method} ${path}`);
    expect(documented.sort()).toEqual(served.sort());
  });

  it("states each route's security as the access table has it, and its refusals as problem details", () => {
    for (const [route, access] of Object.entries(ACCESS)) {
      const [method, path] = route.split(" ") as [string, string];
      for (const m of method === "ALL" ? METHODS : [method.toLowerCase()]) {
        const op = document.paths[documentedPath(path)]![m]!;
        const schemes = (op.security ?? []).flatMap((s) => Object.keys(s)).sort();
        // Public routes, and those a platform signs (Alexa), take no key or token.
        if ("public" in access || "signed" in access) {
          expect(schemes, route).toEqual([]);
          continue;
        }
        expect(schemes, route).toEqual(access.listener ? [API_KEY_SCHEME, LISTENER_TOKEN_SCHEME] : [API_KEY_SCHEME]);
        for (const status of ["401", "403", "429"]) {
          expect(Object.keys(op.responses[status]?.content ?? {}), `${route} ${status}`).toEqual([
            PROBLEM_CONTENT_TYPE,
          ]);
        }
      }
    }
  });

  it("documents a problem-details 400 wherever a route validates its input", () => {
    for (const { method, path, op } of operations) {
      if ((op.parameters?.length ?? 0) > 0 || op.requestBody) {
        expect(Object.keys(op.responses["400"]?.content ?? {}), `${method} ${path}`).toEqual([PROBLEM_CONTENT_TYPE]);
      }
    }
  });
});

describe("each documented example, sent to the edge with the demo seeded", () => {
  /** An own playlist's id is the listener's, drawn when it is made: the examples' stand-in is replaced by this one's. */
  let ownPlaylist = "";
  beforeAll(async () => {
    await seedAndPublish();
    const made = await edge("/v1/me/playlists", {
      method: "POST",
      headers: { ...credentials(TEST_KEYS.client, await tokenFor(LISTENER)), "content-type": "application/json" },
      body: JSON.stringify({ name: "Examples", trackIds: ["trk-00042", "trk-00043", "trk-00044"] }),
    });
    expect(made.status).toBe(201);
    ownPlaylist = ((await made.json()) as { id: string }).id;
  }, 180_000);

  /**
   * Reads before writes; deletions last, the deeper paths first (a playlist's tracks before the
   * playlist) and erasure of the whole listener at the very end: the listener's data is still
   * there for every other example.
   */
  const order = (m: string) => ["get", "post", "put", "patch", "delete"].indexOf(m);
  const examples = operations
    .filter(({ path }) => !path.startsWith("/admin"))
    .sort((a, b) => order(a.method) - order(b.method) || (a.method === "delete" ? b.path.length - a.path.length : 0))
    .flatMap(({ method, path, op }) => {
      const bodies = Object.entries(
        op.requestBody?.content["application/json"]?.examples ?? { none: { value: undefined } },
      );
      return bodies.map(([name, { value }]) => ({
        name: `${method.toUpperCase()} ${path} (${name})`,
        method,
        path,
        op,
        body: value,
      }));
    })
    // The operator proxy: one read, as an operator.
    .concat([
      {
        name: "GET /admin/{operatorPath}",
        method: "get",
        path: "/admin/{operatorPath}",
        op: document.paths["/admin/{operatorPath}"]!.get!,
        body: undefined,
      },
    ]);

  it.each(examples)("$name answers as documented", async ({ method, path, op, body }) => {
    const example = (p: Parameter) => p.example ?? p.schema?.example;
    let url = path;
    const query = new URLSearchParams();
    for (const p of op.parameters ?? []) {
      if (p.in === "path") {
        const value = OWN_PLAYLIST_ID.test(example(p)!) ? ownPlaylist : example(p)!;
        url = url.replace(`{${p.name}}`, encodeURIComponent(value));
      } else if (example(p) !== undefined) query.set(p.name, example(p)!);
    }
    const route = Object.entries(ACCESS).find(([r]) => {
      const [m, p] = r.split(" ") as [string, string];
      return documentedPath(p) === path && (m === "ALL" || m.toLowerCase() === method);
    })![1];
    const headers =
      "public" in route || "signed" in route
        ? {}
        : credentials(TEST_KEYS[route.roles[0]!], route.listener ? await tokenFor(LISTENER) : undefined);
    const answer = await edge(`${url}${query.size > 0 ? `?${query}` : ""}`, {
      method: method.toUpperCase(),
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const contentType = answer.headers.get("content-type") ?? "";
    const text = await answer.text();
    // A signed route's example carries no signature of Amazon's (alexa.test.ts signs requests with a
    // CA of its own): its documented answer is the 400 naming the rule it broke.
    expect(answer.status, `${method} ${url}: ${text.slice(0, 500)}`).toBe("signed" in route ? 400 : answer.status);
    if ("signed" in route) expect(JSON.parse(text)).toMatchObject({ rule: expect.any(String) });
    else expect(answer.status, `${method} ${url}: ${text.slice(0, 500)}`).toBeLessThan(300);
    expect(Object.keys(op.responses), `status ${answer.status} is documented`).toContain(String(answer.status));
    if (!op.responses[String(answer.status)]!.content) {
      expect(text, "a documented answer without content has none").toBe("");
      return;
    }
    const schema = documentedSchema(method, path, answer.status, contentType);
    expect(schema, `a schema for ${answer.status} ${contentType}`).toBeDefined();
    const parsed = schema!.safeParse(contentType.includes("json") ? JSON.parse(text) : text);
    expect(parsed.error?.issues ?? [], text.slice(0, 500)).toEqual([]);
  });
});

describe("the typed client against the edge", () => {
  const client = setlistClient("http://edge", {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
  });

  it("reads a track, a chart and recommendations, and sees a problem's shape on an error", async () => {
    const key = credentials(TEST_KEYS.client);
    const track = await client.v1.tracks[":id"].$get({ param: { id: "trk-00042" }, query: {} }, { headers: key });
    expect(track.status).toBe(200);
    if (track.status === 200) expect((await track.json()).id).toBe("trk-00042");

    const chart = await client.v1.charts.top.$get({ query: { limit: "3" } }, { headers: key });
    if (chart.status !== 200) throw new Error(`chart: ${chart.status}`);
    expect((await chart.json()).items.length).toBeGreaterThan(0);

    const mine = credentials(TEST_KEYS.client, await tokenFor("demo-2"));
    const recs = await client.v1.me.recommendations.$get({ query: { limit: "5" } }, { headers: mine });
    if (recs.status !== 200) throw new Error(`recommendations: ${recs.status}`);
    const body = await recs.json();
    expect(body.items).toHaveLength(5);
    expect(body.items[0]!.reason.text).toEqual(expect.any(String));

    const missing = await client.v1.tracks[":id"].$get({ param: { id: "no-such-track" }, query: {} }, { headers: key });
    expect(missing.status).toBe(404);
    if (missing.status === 404) expect((await missing.json()).detail).toMatch(/no-such-track/);

    const accepted = await client.v1.events.$post(
      { query: {}, json: { events: [{ id: "ev-c1", trackId: "trk-00042", type: "play" }] } },
      { headers: mine },
    );
    expect(accepted.status).toBe(202);
    const unauthorized = await client.v1.me.consent.$get({ query: {} }, { headers: key });
    expect(unauthorized.status).toBe(401);
    if (unauthorized.status === 401) expect((await unauthorized.json()).title).toBe("Unauthorized");
  });
});
