import type { IncomingEvent, QueuedEvent } from "../../shared/api/schemas";
import type { CatalogTrack } from "../../shared/publish/artifacts";
import type { ListeningEvent } from "../../shared/session";
import type { Env } from "./env";
import { sessionOf } from "./listener";

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

export interface Accepted {
  /** Events stored for the first time. */
  accepted: number;
  /** Events already accepted: repeated within the request or seen before (client retries). */
  duplicates: number;
  /** Events of listeners who withdrew personalization consent: neither stored nor queued. */
  notStored: number;
}

/**
 * The one way events enter: the listener's session object sees them at once (so the next answer
 * adapts) and keeps them in its outbox, which carries them on to D1 (workers/edge/session.ts).
 * Every track must be in `tracks`.
 */
export async function acceptEvents(
  env: Env,
  pseudonym: string,
  events: IncomingEvent[],
  tracks: ReadonlyMap<string, CatalogTrack>,
  region: string | null,
  receivedAt = Date.now(),
): Promise<Accepted> {
  // A client retrying a request may repeat an id inside one batch; the first occurrence wins.
  const unique = [...new Map(events.map((e) => [e.id, e])).values()];
  const { fresh, consent } = await sessionOf(env, pseudonym).record(
    pseudonym,
    unique.map((e) => ({
      listening: toListening(e, tracks.get(e.trackId)!),
      queued: toQueued(e, pseudonym, receivedAt, region),
    })),
  );
  const accepted = consent.personalization ? fresh : 0;
  const notStored = consent.personalization ? 0 : unique.length;
  return { accepted, duplicates: events.length - accepted - notStored, notStored };
}

/** The caller's country as Cloudflare reports it, when it is one. */
export function requestRegion(request: Request): string | null {
  const country = request.cf?.country;
  return typeof country === "string" && /^[A-Z]{2}$/.test(country) ? country : null;
}
