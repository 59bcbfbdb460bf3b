import { Hono } from "hono";
import { problem, problemResponse } from "../../../shared/api/problem";
import { EventsBody, NoQuery } from "../../../shared/api/schemas";
import { requireListener, requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { acceptEvents, requestRegion } from "../ingest";
import { currentModel } from "../model-store";
import { catalogUnavailable, Degradation, degradedField, findTracksDegrading } from "../degraded";
import { validate } from "../../../shared/api/validate";

export const eventsApp = new Hono<AppEnv>().post(
  "/",
  requireRole("client"),
  requireListener(),
  validate("query", NoQuery),
  validate("json", EventsBody),
  async (c) => {
    const listener = c.var.listener;
    const { events } = c.req.valid("json");
    // An event may name its listener; it must then be the token's.
    const foreign = events.flatMap((e, i) =>
      e.listenerId === undefined || e.listenerId === listener
        ? []
        : [{ path: `events.${i}.listenerId`, message: "is not the token's listener" }],
    );
    if (foreign.length > 0) {
      return problemResponse(
        problem(403, `A listener token covers only that listener's events: ${foreign.map((f) => f.path).join(", ")}`, {
          errors: foreign,
        }),
      );
    }
    // Ingest needs no model: without KV the tracks are checked in D1.
    const degraded = new Degradation();
    const model = await degraded.read("kv", () => currentModel(c.env), null);
    const trackIds = [...new Set(events.map((e) => e.trackId))];
    const known = await findTracksDegrading(c.env, degraded, model?.version ?? null, trackIds);
    const unknown = events.flatMap((e, i) =>
      known.has(e.trackId) ? [] : [{ path: `events.${i}.trackId`, message: `no track ${e.trackId}` }],
    );
    if (unknown.length > 0) {
      if (degraded.stores.includes("d1")) return catalogUnavailable(degraded);
      return problemResponse(
        problem(422, `Unknown tracks: ${unknown.map((u) => u.path).join(", ")}`, { errors: unknown }),
      );
    }

    const accepted = await acceptEvents(c.env, c.var.pseudonym, events, known, requestRegion(c.req.raw));
    return c.json({ ...accepted, ...degradedField(degraded.stores) }, 202);
  },
);
