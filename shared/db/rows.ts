import type { QueuedEvent, QueuedSessionSummary } from "../api/schemas";
import type { Track } from "../catalog/types";
import type { events, listeners, sessions, tracks } from "./schema";

/** The one mapping from domain objects to D1 rows, shared by live ingest, demo seeding and imports. */
export function eventRow(e: QueuedEvent): typeof events.$inferInsert {
  return {
    listenerId: e.listener,
    eventId: e.eventId,
    trackId: e.trackId,
    type: e.type,
    target: e.target,
    msPlayed: e.msPlayed,
    positionMs: e.positionMs,
    device: e.device,
    context: e.context,
    clientTs: e.clientTs,
    receivedAt: e.receivedAt,
    listEnd: e.listEnd ?? false,
  };
}

/** A closed session's summary as stored at `receivedAt` (when it reached D1). */
export function sessionRow(s: QueuedSessionSummary, receivedAt: number): typeof sessions.$inferInsert {
  return {
    listenerId: s.listener,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    lengthMs: s.lengthMs,
    tracksPlayed: s.tracksPlayed,
    skips: s.skips,
    completions: s.completions,
    receivedAt,
  };
}

export function listenerRow(id: string, region: string | null, createdAt: number): typeof listeners.$inferInsert {
  return { id, region, createdAt, consentPersonalization: true, consentAnalytics: true };
}

export function trackRow(t: Track): typeof tracks.$inferInsert {
  const f = t.features;
  return {
    id: t.id,
    title: t.title,
    artistId: t.artistId,
    artistName: t.artistName,
    albumId: t.albumId,
    albumTitle: t.albumTitle,
    genre: t.genre,
    releaseDate: t.releaseDate,
    tempo: f.tempo,
    energy: f.energy,
    valence: f.valence,
    danceability: f.danceability,
    acousticness: f.acousticness,
    instrumentalness: f.instrumentalness,
    speechiness: f.speechiness,
    loudness: f.loudness,
    key: f.key,
    mode: f.mode,
    durationMs: f.durationMs,
  };
}

export function trackFromRow(r: typeof tracks.$inferSelect): Track {
  return {
    id: r.id,
    title: r.title,
    artistId: r.artistId,
    artistName: r.artistName,
    albumId: r.albumId,
    albumTitle: r.albumTitle,
    genre: r.genre,
    releaseDate: r.releaseDate,
    features: {
      tempo: r.tempo,
      energy: r.energy,
      valence: r.valence,
      danceability: r.danceability,
      acousticness: r.acousticness,
      instrumentalness: r.instrumentalness,
      speechiness: r.speechiness,
      loudness: r.loudness,
      key: r.key,
      mode: r.mode === 1 ? 1 : 0,
      durationMs: r.durationMs,
    },
  };
}
