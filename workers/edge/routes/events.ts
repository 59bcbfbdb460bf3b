import { Hono } from "hono";
import { problem, problemResponse } from "../../../shared/api/problem";
import { EventsBody, type IncomingEvent, type QueuedEvent } from "../../../shared/api/schemas";
import type { CatalogTrack } from "../../../shared/publish/artifacts";
import type { ListeningEvent } from "../../../shared/session";
import { requireListener, requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { listenerPseudonym, sessionOf } from "../listener";
import { currentModel } from "../model-store";
import { findTracks } from "../tracks";
import { validate } from "../../../shared/api/validate";
import { NoQuery } from "./listeners";

function toQueued(e: IncomingEvent, listener: string, receivedAt: number, region: string | null): QueuedEvent {
  return {
    kind: "event",
    listener,
    eventId: e.id,
    trackId: e.trackId,
    type: e.type,
    target: e.target ?? null,
    clientTs: e.timestamp,
    receivedAt,
    positionMs: e.positionMs ?? null,
    msPlayed: e.msPlayed ?? null,
    device: e.device ?? null,
    context: e.context ?? null,
    region,
  };
}

/** The session object needs the artist and length of the track to judge skips and artist taste. */
function toListening(e: IncomingEvent, track: CatalogTrack): ListeningEvent {
  return {
    id: e.id,
    trackId: e.trackId,
    artistId: track.artistId,
    type: e.type,
    target: e.target,
    positionMs: e.positionMs,
    durationMs: track.features.durationMs,
    device: e.device,
    timestamp: e.timestamp,
    context: e.context?.activity ? { activity: e.context.activity, device: e.device } : undefined,
  };
}

export const eventsApp = new Hono<AppEnv>().post(
  "/",
  requireRole("client"),
  requireListener(),
  validate("query", NoQuery),
  validate("json", EventsBody),
  async (c) => {
    const receivedAt = Date.now();
    const { events } = c.req.valid("json");
    const foreign = events.flatMap((e, i) =>
      e.listenerId === c.var.listener
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
    const model = await currentModel(c.env);
    const known = await findTracks(c.env, model?.version ?? null, [...new Set(events.map((e) => e.trackId))]);
    const unknown = events.flatMap((e, i) =>
      known.has(e.trackId) ? [] : [{ path: `events.${i}.trackId`, message: `no track ${e.trackId}` }],
    );
    if (unknown.length > 0) {
      return problemResponse(
        problem(422, `Unknown tracks: ${unknown.map((u) => u.path).join(", ")}`, { errors: unknown }),
      );
    }

    const country = c.req.raw.cf?.country;
    const region = typeof country === "string" && /^[A-Z]{2}$/.test(country) ? country : null;
    // A client retrying a request may repeat an id inside one batch; the first occurrence wins.
    const unique = [...new Map(events.map((e) => [`${e.listenerId}\u0000${e.id}`, e])).values()];
    const byListener = Map.groupBy(unique, (e) => e.listenerId);

    const queued: QueuedEvent[] = [];
    let declined = 0;
    await Promise.all(
      [...byListener].map(async ([rawId, listenerEvents]) => {
        const pseudonym = await listenerPseudonym(c.env, rawId);
        const { consent } = await sessionOf(c.env, pseudonym).record(
          pseudonym,
          listenerEvents.map((e) => toListening(e, known.get(e.trackId)!)),
        );
        if (consent.personalization)
          queued.push(...listenerEvents.map((e) => toQueued(e, pseudonym, receivedAt, region)));
        else declined += listenerEvents.length;
      }),
    );
    if (queued.length > 0) await c.env.EVENTS.sendBatch(queued.map((body) => ({ body, contentType: "json" as const })));
    return c.json(
      {
        accepted: queued.length,
        duplicates: events.length - unique.length,
        // Listeners who withdrew personalization consent: their events are neither stored nor queued.
        notStored: declined,
      },
      202,
    );
  },
);
