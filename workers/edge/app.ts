import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import { problem, problemResponse } from "../../shared/api/problem";
import { MAX_EVENTS_BODY_BYTES } from "../../shared/api/schemas";
import { API_KEY_HEADER } from "../../shared/auth/api-key";
import { requireRole } from "./auth/require";
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

export const app = new Hono<AppEnv>()
  // An API answers JSON only: nothing in it may be framed, run as script or embedded by other sites.
  .use(secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } }))
  .use(
    cors({
      origin: (origin, c) => (allowedOrigins(c.env.CORS_ORIGINS).includes(origin) ? origin : null),
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allowHeaders: ["content-type", "authorization", API_KEY_HEADER],
      exposeHeaders: ["retry-after", "content-disposition"],
      maxAge: 600,
    }),
  )
  .use("/v1/*", limitBody(MAX_API_BODY_BYTES, "send at most 100 events per request"))
  .use("/admin/*", limitBody(MAX_OPERATOR_BODY_BYTES, "import in smaller chunks"))
  .get("/health", (c) => c.json({ status: "ok" }))
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
  // Operator routes live in the retraining worker; the edge is their only door.
  .all("/admin/*", requireRole("operator"), async (c) => {
    const res = await c.env.RETRAINER.fetch(c.req.raw);
    // A fetched response's headers are immutable; the middleware above adds to them.
    return new Response(res.body, res);
  });

function allowedOrigins(configured: string): string[] {
  return configured
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
}

app.onError(onError);
app.notFound(notFound);

export type AppType = typeof app;
