import { $ } from "@hono/zod-openapi";
import { z } from "zod";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import {
  apiApp,
  API_KEY_SCHEME,
  APP_KEY,
  createRoute,
  errorResponses,
  json,
  SECURITY_SCHEMES,
} from "../../shared/api/openapi";
import { problem, problemResponse } from "../../shared/api/problem";
import { Health, OperatorAnswer } from "../../shared/api/responses";
import { MAX_EVENTS_BODY_BYTES } from "../../shared/api/schemas";
import { API_KEY_HEADER } from "../../shared/auth/api-key";
import { forApp, requireRole } from "./auth/require";
import { DASHBOARD_APP, DASHBOARD_CSP, DASHBOARD_SHELL, dashboardAsset } from "./dashboard";
import { DOCS_ASSETS, DOCS_CSP, DOCS_PAGE } from "./docs";
import type { AppEnv } from "./env";
import { notFound, onError } from "../../shared/api/errors";
import { alexaApp } from "./routes/alexa";
import { chartsApp } from "./routes/charts";
import { eventsApp } from "./routes/events";
import { followingApp } from "./routes/following";
import { meApp } from "./routes/me";
import { onboardingApp } from "./routes/onboarding";
import { playlistsApp } from "./routes/playlists";
import { privacyApp } from "./routes/privacy";
import { radioApp } from "./routes/radio";
import { speakerApp } from "./routes/speaker";
import { supportApp } from "./routes/support";
import { tracksApp } from "./routes/tracks";

/** The largest body an API route takes is a batch of events; operators import catalogs in bigger chunks. */
const MAX_API_BODY_BYTES = MAX_EVENTS_BODY_BYTES;
const MAX_OPERATOR_BODY_BYTES = 8 * 1024 * 1024;

function limitBody(maxSize: number, hint: string) {
  return bodyLimit({
    maxSize,
    onError: () => problemResponse(problem(413, `Request body is larger than ${maxSize} bytes; ${hint}`)),
  });
}

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Service"],
  summary: "Liveness; touches no storage",
  security: [],
  responses: { 200: json(Health, "The edge is up") },
});

const openApiDocument = createRoute({
  method: "get",
  path: "/openapi.json",
  tags: ["Service"],
  summary: "This document (OpenAPI 3.1)",
  security: [],
  responses: { 200: json(z.record(z.string(), z.unknown()), "The OpenAPI 3.1 document") },
});

const docsPage = createRoute({
  method: "get",
  path: "/docs",
  tags: ["Service"],
  summary: "The API's docs page (Swagger UI), served with its files by the edge: no CDN",
  security: [],
  responses: { 200: { description: "The page", content: { "text/html": { schema: z.string() } } } },
});

const docsAsset = createRoute({
  method: "get",
  path: "/docs/assets/{file}",
  tags: ["Service"],
  summary: "A file of the docs page",
  security: [],
  request: { params: z.strictObject({ file: z.enum(DOCS_ASSETS).meta({ example: "docs-init.js" }) }) },
  responses: {
    200: {
      description: "The file",
      content: { "text/javascript": { schema: z.string() }, "text/css": { schema: z.string() } },
    },
    ...errorResponses(400),
  },
});

const dashboardPage = createRoute({
  method: "get",
  path: "/dashboard",
  tags: ["Operators"],
  summary: "The operator dashboard's sign-in page (its data and application need an operator key)",
  security: [],
  responses: { 200: { description: "The page", content: { "text/html": { schema: z.string() } } } },
});

const dashboardShell = createRoute({
  method: "get",
  path: "/dashboard/assets/{file}",
  tags: ["Operators"],
  summary: "A file of the dashboard's sign-in page",
  security: [],
  request: { params: z.strictObject({ file: z.enum(DASHBOARD_SHELL).meta({ example: "signin.js" }) }) },
  responses: {
    200: {
      description: "The file",
      content: { "text/javascript": { schema: z.string() }, "text/css": { schema: z.string() } },
    },
    ...errorResponses(400),
  },
});

const dashboardApp = createRoute({
  method: "get",
  path: `/dashboard/${DASHBOARD_APP}`,
  tags: ["Operators"],
  summary: "The dashboard application (a JavaScript module), for operators only",
  ...forApp("operator"),
  responses: {
    200: { description: "The module", content: { "text/javascript": { schema: z.string() } } },
    ...errorResponses(401, 403, 429, 503),
  },
});

/** A static asset of the edge, never kept by a cache: the dashboard changes with each deployment. */
async function asset(c: { env: AppEnv["Bindings"]; req: { url: string } }, path: string) {
  const res = await c.env.ASSETS.fetch(new URL(path, c.req.url));
  const fresh = new Response(res.body, res);
  fresh.headers.set("cache-control", "no-store");
  return fresh;
}

/** `.use` answers a plain Hono type; `$` gives back the OpenAPIHono one (its documented way). */
export const app = $(
  $(
    apiApp<AppEnv>()
      // An API answers JSON only: nothing in it may be framed, run as script or embedded by other sites.
      .use(
        except(
          ["/docs/*", "/dashboard", "/dashboard/*"],
          secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } }),
        ),
      )
      // The docs page runs Swagger UI: its own scripts and styles, from this origin only.
      .use("/docs/*", secureHeaders({ contentSecurityPolicy: DOCS_CSP }))
      // The dashboard: its own files, its application from a blob of them, calls to this origin.
      .use("/dashboard", secureHeaders({ contentSecurityPolicy: DASHBOARD_CSP }))
      .use("/dashboard/*", secureHeaders({ contentSecurityPolicy: DASHBOARD_CSP }))
      .use(
        cors({
          origin: (origin, c) => (allowedOrigins(c.env.CORS_ORIGINS).has(origin) ? origin : null),
          allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
          allowHeaders: ["content-type", "authorization", API_KEY_HEADER],
          exposeHeaders: ["retry-after", "content-disposition"],
          maxAge: 600,
        }),
      )
      .use("/v1/*", limitBody(MAX_API_BODY_BYTES, "send at most 100 events per request"))
      .use("/admin/*", limitBody(MAX_OPERATOR_BODY_BYTES, "import in smaller chunks")),
  )
    .openapi(health, (c) => c.json({ status: "ok" as const }, 200))
    .openapi(docsPage, (c) => c.html(DOCS_PAGE))
    .openapi(docsAsset, (c) => c.env.ASSETS.fetch(new URL(`/${c.req.valid("param").file}`, c.req.url)))
    .openapi(dashboardPage, (c) => asset(c, dashboardAsset("index.html")))
    .openapi(dashboardShell, (c) => asset(c, dashboardAsset(c.req.valid("param").file)))
    .openapi(dashboardApp, (c) => asset(c, dashboardAsset(DASHBOARD_APP)))
    .route("/v1/me", meApp)
    .route("/v1/me", privacyApp)
    .route("/v1/me", onboardingApp)
    .route("/v1/me/playlists", playlistsApp)
    .route("/v1/me/following", followingApp)
    .route("/v1/me/radio", radioApp)
    .route("/v1/events", eventsApp)
    .route("/v1/tracks", tracksApp)
    .route("/v1/charts", chartsApp)
    .route("/v1/speaker", speakerApp)
    .route("/v1/speaker/alexa", alexaApp)
    // Support requests name a listener by raw id, which only the edge may pseudonymise.
    .route("/admin/listeners", supportApp)
    // Operator routes live in the retraining worker; the edge is their only door.
    .all("/admin/*", requireRole("operator"), async (c) => {
      const res = await c.env.RETRAINER.fetch(c.req.raw);
      // A fetched response's headers are immutable; the middleware above adds to them.
      return new Response(res.body, res);
    }),
);

// Not chained: the document is made from the app, so the app's type cannot include it.
app.openapi(openApiDocument, (c) => c.json(openApi(new URL(c.req.url).origin), 200));

for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
  app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
}

/**
 * The operator routes are the retraining worker's, passed on as they are: documented here as that
 * proxy (any method on any path below /admin, with an operator key), their own routes in the README.
 */
const OperatorPath = z.strictObject({
  operatorPath: z.string().meta({
    description: "The retraining worker's operator route, e.g. `models`, `models/{version}`, `retrain`, `experiments`",
    example: "models",
  }),
});
for (const method of ["get", "post", "put", "patch", "delete"] as const) {
  app.openAPIRegistry.registerPath({
    method,
    path: "/admin/{operatorPath}",
    tags: ["Operators"],
    summary: `Operator route (${method.toUpperCase()}), answered by the retraining worker`,
    security: APP_KEY,
    request: { params: OperatorPath },
    responses: {
      200: json(OperatorAnswer, "The retraining worker's answer (202 for started jobs, 201 for a seed)"),
      ...errorResponses(400, 401, 403, 404, 413, 429, 503),
    },
  });
}

/** Made once per isolate: the routes do not change while it runs, and making it takes milliseconds. */
let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;

/** The OpenAPI 3.1 document of the whole API, with this origin as its server. */
export function openApi(origin: string) {
  document ??= app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Setlist API",
      version: "1.0.0",
      description:
        "Personal recommendations, similar tracks, charts, playlists and a speaker route, served from the edge. Errors are RFC 9457 problem details (application/problem+json) naming each offending field.",
    },
    tags: [
      { name: "Listener", description: "The signed-in listener's own routes (API key and listener token)" },
      { name: "Privacy", description: "Consent, export and erasure" },
    ],
  });
  return { ...document, servers: [{ url: origin }] };
}

/** The configured origins as a set, parsed again only when the setting changes (in practice once per isolate). */
let origins: { configured: string; allowed: ReadonlySet<string> } | undefined;

function allowedOrigins(configured: string): ReadonlySet<string> {
  if (origins?.configured !== configured) {
    const allowed = new Set(
      configured
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    );
    origins = { configured, allowed };
  }
  return origins.allowed;
}

app.onError(onError);
app.notFound(notFound);

export type AppType = typeof app;
