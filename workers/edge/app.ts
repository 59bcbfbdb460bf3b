import { Hono } from "hono";
import type { AppEnv } from "./env";
import { notFound, onError } from "./errors";
import { chartsApp } from "./routes/charts";
import { eventsApp } from "./routes/events";
import { listenersApp } from "./routes/listeners";
import { privacyApp } from "./routes/privacy";
import { speakerApp } from "./routes/speaker";
import { tracksApp } from "./routes/tracks";

export const app = new Hono<AppEnv>()
  .get("/health", (c) => c.json({ status: "ok" }))
  .route("/v1/listeners", listenersApp)
  .route("/v1/listeners", privacyApp)
  .route("/v1/events", eventsApp)
  .route("/v1/tracks", tracksApp)
  .route("/v1/charts", chartsApp)
  .route("/v1/speaker", speakerApp)
  // Operator routes live in the retraining worker; the edge is their only door.
  .all("/admin/*", (c) => c.env.RETRAINER.fetch(c.req.raw));

app.onError(onError);
app.notFound(notFound);

export type AppType = typeof app;
