import type { Surface } from "../analytics/attribution";
import { IncomingEvent } from "../api/schemas";
import type { PlaySource, StreamToken } from "./token";

/**
 * How the device's playback reports become the listener's events: a start is a play, a finish a
 * completion, and a stop (a pause, a stop or the listener moving on) a skip at the offset, which
 * the session judges early ("not this") or late ("enough") as for any other device. A failure is the
 * stream's, not the listener's judgement, so it is not recorded.
 */
const TYPES = { started: "play", finished: "complete", stopped: "skip" } as const;

/**
 * The event id comes from Alexa's request id, so a request Alexa sends again is recorded once.
 * Request ids are longer than event ids may be, and of another alphabet, hence the hash.
 */
export async function eventIdOf(requestId: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`alexa:${requestId}`));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return `alexa-${hex.slice(0, 40)}`;
}

export interface PlaybackReport {
  event: "started" | "finished" | "stopped" | "failed";
  requestId: string;
  timestamp: string;
  offsetInMilliseconds?: number;
  stream: StreamToken;
  /** The id crediting the event to what served the stream (the edge makes Alexa's events, so it says). */
  recommendationId: string;
}

/** The surface a stream is credited to, as GET /v1/speaker/next credits the same choice. */
export function surfaceOf(source: PlaySource): Surface {
  return source.kind === "list" ? source.list : source.kind === "radio" ? "radio" : "speaker";
}

export async function listeningEventOf(report: PlaybackReport): Promise<IncomingEvent | null> {
  if (report.event === "failed") return null;
  const { source, trackId } = report.stream;
  const { recommendationId } = report;
  const context =
    source.kind === "list"
      ? { source: "playlist" as const, playlistId: source.list, recommendationId }
      : source.kind === "radio"
        ? { source: "radio" as const, recommendationId }
        : {
            source: "recommendations" as const,
            ...(source.activity ? { activity: source.activity } : {}),
            recommendationId,
          };
  const parsed = IncomingEvent.safeParse({
    id: await eventIdOf(report.requestId),
    trackId,
    type: TYPES[report.event],
    timestamp: Date.parse(report.timestamp),
    ...(report.offsetInMilliseconds !== undefined ? { positionMs: report.offsetInMilliseconds } : {}),
    device: "speaker",
    context,
  });
  // A verified request is at most 150 s old, so only a track id of another alphabet fails here.
  return parsed.success ? parsed.data : null;
}
