import { apiApp, createRoute, errorResponses, json, jsonBody, problemJson } from "../../../shared/api/openapi";
import { Accepted } from "../../../shared/api/responses";
import { EventsBody, NoQuery } from "../../../shared/api/schemas";
import { forListener } from "../auth/require";
import type { AppEnv } from "../env";
import { acceptEvents, requestRegion } from "../ingest";
import { currentModel } from "../model-store";
import { catalogUnavailable, Degradation, degradedField, findTracksDegrading } from "../degraded";

const postEvents = createRoute({
  method: "post",
  path: "/",
  tags: ["Events"],
  summary: "Report listening events (up to 100), durably accepted",
  description:
    "Each event's `id` is chosen by the client and makes retries safe: a repeated id is counted as a duplicate. All events are the token's listener's.",
  ...forListener("client"),
  request: {
    query: NoQuery,
    body: jsonBody(EventsBody, {
      playAndSkip: {
        summary: "A play, then a skip 12 s in",
        value: {
          events: [
            { id: "ev-1001", trackId: "trk-00042", type: "play", device: "phone" },
            { id: "ev-1002", trackId: "trk-00042", type: "skip", positionMs: 12000, device: "phone" },
          ],
        },
      },
    }),
  },
  responses: {
    202: json(Accepted, "Accepted: stored durably before this answer"),
    ...errorResponses(400, 401, 403, 413, 415, 422, 429, 503),
  },
});

export const eventsApp = apiApp<AppEnv>().openapi(postEvents, async (c) => {
  const listener = c.var.listener;
  const { events } = c.req.valid("json");
  // An event may name its listener; it must then be the token's.
  const foreign = events.flatMap((e, i) =>
    e.listenerId === undefined || e.listenerId === listener
      ? []
      : [{ path: `events.${i}.listenerId`, message: "is not the token's listener" }],
  );
  if (foreign.length > 0) {
    return problemJson(
      c,
      403,
      `A listener token covers only that listener's events: ${foreign.map((f) => f.path).join(", ")}`,
      { errors: foreign },
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
    if (degraded.stores.includes("d1")) return catalogUnavailable(c, degraded);
    return problemJson(c, 422, `Unknown tracks: ${unknown.map((u) => u.path).join(", ")}`, { errors: unknown });
  }

  const accepted = await acceptEvents(c.env, c.var.pseudonym, events, known, requestRegion(c.req.raw));
  return c.json({ ...accepted, ...degradedField(degraded.stores) }, 202);
});
