import { z } from "zod";
import { genreName } from "../catalog/features";
import { ACTIVITIES, DEVICES, EVENT_TYPES } from "../catalog/types";
import { EXPERIMENT_ID } from "../experiments/definition";
import { RecommendationId } from "../analytics/attribution";
import { isKnownTimeZone } from "../context/local-hour";
import { isPlaylistKind, PLAYLIST_KINDS } from "../playlists/kinds";
import { OWN_PLAYLIST_ID, OWN_PLAYLIST_LIMITS } from "../playlists/own";

/** For routes that take no query parameters: any given is an error, like an unknown field in a body. */
export const NoQuery = z.strictObject({});

/** Ids travel inside KV keys and URLs, so they are restricted to a safe alphabet. */
export const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");

export const MAX_EVENTS_PER_REQUEST = 100;
export const MAX_EVENTS_BODY_BYTES = 64 * 1024;

/** Clients may report events up to 30 days late (offline play) but not from the future beyond clock skew. */
const EARLIEST_EVENT_AGE_MS = 30 * 24 * 3600 * 1000;
const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;

/** An ISO 8601 date-time with seconds and an offset that is a real moment (no 2026-02-30, no 24:00). */
const DateTime = z.iso.datetime({
  offset: true,
  error: "must be an ISO 8601 date-time with offset, such as 2026-11-24T23:30:00+01:00",
});

const Timestamp = z.union([z.number().int().positive(), DateTime.transform((s) => Date.parse(s))]);

export const PlaybackContext = z.strictObject({
  activity: z.enum(ACTIVITIES).optional(),
  playlistId: Id.optional(),
  /** The recommendation id of the answer the track was served in: credits the event to what served it. */
  recommendationId: RecommendationId.optional(),
  source: z.enum(["recommendations", "search", "library", "playlist", "radio", "speaker"]).optional(),
});

export const IncomingEvent = z
  .strictObject({
    id: Id,
    /** Optional: the listener is the token's; when given it must be the token's. */
    listenerId: Id.optional(),
    trackId: Id,
    type: z.enum(EVENT_TYPES),
    /** Only for dislikes: the listener disliked the track (default) or its artist. */
    target: z.enum(["track", "artist"]).optional(),
    /** When it happened on the client; a client that does not know sends none and gets the arrival time. */
    timestamp: Timestamp.default(() => Date.now()),
    positionMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600 * 1000)
      .optional(),
    msPlayed: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600 * 1000)
      .optional(),
    device: z.enum(DEVICES).optional(),
    context: PlaybackContext.optional(),
  })
  .superRefine((event, ctx) => {
    const now = Date.now();
    if (event.timestamp > now + MAX_CLOCK_SKEW_MS) {
      ctx.addIssue({ code: "custom", path: ["timestamp"], message: "is in the future" });
    } else if (event.timestamp < now - EARLIEST_EVENT_AGE_MS) {
      ctx.addIssue({ code: "custom", path: ["timestamp"], message: "is more than 30 days old" });
    }
    if (event.target && event.type !== "dislike") {
      ctx.addIssue({ code: "custom", path: ["target"], message: "is only allowed on dislike events" });
    }
  });
export type IncomingEvent = z.output<typeof IncomingEvent>;

export const EventsBody = z.strictObject({
  events: z.array(IncomingEvent).min(1).max(MAX_EVENTS_PER_REQUEST),
});

/**
 * What crosses the queue: accepted events under the listener's pseudonym (never the raw id), and
 * the summaries of closed sessions. The consumer validates again because a queue is a trust
 * boundary too (replays, messages from older deployments).
 */
const Pseudonym = z.string().min(1).max(128);
/** A session object's drain sends at most 500 rows; a batch holds what fits in one queue message (128 KB). */
export const MAX_BATCHED_MESSAGES = 1000;

export const QueuedEvent = z.strictObject({
  kind: z.literal("event"),
  listener: Pseudonym,
  eventId: Id,
  trackId: Id,
  type: z.enum(EVENT_TYPES),
  target: z.enum(["track", "artist"]).nullable(),
  clientTs: z.number().int(),
  receivedAt: z.number().int(),
  positionMs: z.number().int().nullable(),
  msPlayed: z.number().int().nullable(),
  device: z.enum(DEVICES).nullable(),
  context: PlaybackContext.nullable(),
  region: z.string().length(2).nullable(),
  /** Set by the session object: the event plays the last track of the list its recommendation id names. */
  listEnd: z.boolean().optional(),
});
export type QueuedEvent = z.output<typeof QueuedEvent>;

export const QueuedSessionSummary = z.strictObject({
  kind: z.literal("session"),
  listener: Pseudonym,
  startedAt: z.number().int(),
  endedAt: z.number().int(),
  lengthMs: z.number().int().min(0),
  tracksPlayed: z.number().int().min(0),
  skips: z.number().int().min(0),
  completions: z.number().int().min(0),
});
export type QueuedSessionSummary = z.output<typeof QueuedSessionSummary>;

/** A listener's first exposure to an experiment: when an answer of their variant was first served to them. */
export const QueuedExposure = z.strictObject({
  kind: z.literal("exposure"),
  listener: Pseudonym,
  experimentId: z.string().regex(EXPERIMENT_ID),
  variant: z.string().min(1).max(32),
  exposedAt: z.number().int(),
});
export type QueuedExposure = z.output<typeof QueuedExposure>;

export const QueueMessage = z.discriminatedUnion("kind", [QueuedEvent, QueuedSessionSummary, QueuedExposure]);
export type QueueMessage = z.output<typeof QueueMessage>;

/**
 * One queue message carrying many of one listener's messages: what a session object's outbox sends
 * (shared/session/outbox.ts `carriers`). The local queue hands the consumer one batch of at most 100
 * queue messages at a time, and every message costs the broker and the consumer the same whatever it
 * holds, so messages one by one capped ingest at a few hundred events/s (`npm run bench:ingest`).
 * `listener` is the messages' own: dead letters are found by it (shared/db/queries.ts deadLettersOf).
 */
export const QueuedBatch = z
  .strictObject({
    kind: z.literal("batch"),
    listener: Pseudonym,
    messages: z.array(QueueMessage).min(1).max(MAX_BATCHED_MESSAGES),
  })
  .refine((batch) => batch.messages.every((m) => m.listener === batch.listener), {
    message: "every message of a batch is its listener's",
    path: ["messages"],
  });
export type QueuedBatch = z.output<typeof QueuedBatch>;

/**
 * Erasing a listener from the event lake continues here when one invocation's step did not reach every
 * object (shared/lake/objects.ts): the consumer runs a step and sends the message on until none is left.
 */
export const LakeErasure = z.strictObject({ kind: z.literal("lake-erasure"), listener: Pseudonym });
export type LakeErasure = z.output<typeof LakeErasure>;

/**
 * The erasure rule: what a listener sent up to their erasure (an event when it arrived, a session
 * summary when it ended, an exposure when it happened) is dropped by the consumer, so a message still in flight cannot bring them back.
 */
export function sentBeforeErasure(message: QueueMessage, erasedAt: number | undefined): boolean {
  const sentAt =
    message.kind === "event" ? message.receivedAt : message.kind === "session" ? message.endedAt : message.exposedAt;
  return erasedAt !== undefined && sentAt <= erasedAt;
}

/**
 * A count in a query: decimal digits only. Number() would also read "0x10", "1e1", "+5" or " 5",
 * and a value a client did not mean must be refused, not guessed.
 */
export const Limit = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `must be a whole number from 1 to ${max} in decimal digits`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .default(fallback);

/** What a client may say about the moment, for every route that takes it; with none, the clock decides. */
export const LocalTime = DateTime;
export const TimeZone = z
  .string()
  .max(64)
  .refine(isKnownTimeZone, "must be an IANA time zone the service knows, such as Europe/Stockholm");

export const Region = z
  .string()
  .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code")
  .transform((s) => s.toUpperCase());

const unit = z.number().min(0).max(1);

/** A catalog track as importers send it; the ranges are those of Spotify's audio features. */
export const TrackInput = z.strictObject({
  id: Id,
  title: z.string().min(1).max(300),
  artistId: Id,
  artistName: z.string().min(1).max(300),
  albumId: z.string().min(1).max(128),
  albumTitle: z.string().min(1).max(300),
  genre: z.string().max(200).transform(genreName).pipe(z.string().min(1).max(60)),
  releaseDate: z.iso.date(),
  features: z.strictObject({
    tempo: z.number().min(0).max(300),
    energy: unit,
    valence: unit,
    danceability: unit,
    acousticness: unit,
    instrumentalness: unit,
    speechiness: unit,
    loudness: z.number().min(-80).max(10),
    key: z.number().int().min(0).max(11),
    mode: z.union([z.literal(0), z.literal(1)]),
    durationMs: z
      .number()
      .int()
      .min(1000)
      .max(24 * 3600 * 1000),
  }),
});

/** Aggregated evidence from public data sets: how much a listener played (or rejected) an item. */
export const InteractionInput = z.strictObject({
  listener: Id,
  trackId: Id,
  weight: z.number().finite().min(-1e6).max(1e9),
  timestamp: z.number().int().positive().optional(),
});

export const MAX_IMPORT_ROWS = 1000;

/** Events one synthetic-listening request writes: a few D1 batches, well inside one request's limits. */
export const MAX_SYNTHETIC_EVENTS_PER_REQUEST = 100_000;

/**
 * A part of a synthetic listening run (shared/import/synthetic-listening.ts) to write into D1: events
 * [from, from + count) of the run of this size. `items` (default: the catalog's first 10,000 tracks by id,
 * or all when fewer) and `endAt` (default: now) must be given the same in every part of one run; the
 * first answer says which were used.
 */
export const SyntheticListeningRequest = z
  .strictObject({
    events: z.number().int().min(1).max(50_000_000),
    listeners: z.number().int().min(1).max(1_000_000),
    items: z.number().int().min(1).max(100_000).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .default(1),
    endAt: z.number().int().positive().optional(),
    from: z.number().int().min(0).default(0),
    count: z.number().int().min(1).max(MAX_SYNTHETIC_EVENTS_PER_REQUEST),
  })
  .refine((r) => r.listeners <= r.events, { message: "must be at most one listener per event", path: ["listeners"] })
  .refine((r) => r.from + r.count <= r.events, { message: "from + count must be at most events", path: ["count"] });

export const ContextQuery = z.strictObject({
  activity: z.enum(ACTIVITIES).optional(),
  device: z.enum(DEVICES).optional(),
  localTime: LocalTime.optional(),
  timeZone: TimeZone.optional(),
});

// ---------------------------------------------------------------- own playlists and follows

const L = OWN_PLAYLIST_LIMITS;
const PlaylistName = z.string().trim().min(1, "must not be empty").max(L.nameLength);
const PlaylistDescription = z.string().trim().max(L.descriptionLength);
/** A 1-based position, as list answers number their tracks. */
const Position = z
  .number()
  .int()
  .min(1)
  .max(L.tracksPerPlaylist + 1);
const TrackIds = z.array(Id).min(1).max(L.tracksPerRequest);

export const OwnPlaylistId = z
  .string()
  .regex(OWN_PLAYLIST_ID, "must be an own playlist id such as pl-0123456789abcdef0123");
/** `/v1/me/playlists/{id}`: a generated kind or an own playlist's id (which no kind can be). */
export const PlaylistRef = z.strictObject({
  id: z
    .string()
    .refine(
      (id) => isPlaylistKind(id) || OWN_PLAYLIST_ID.test(id),
      `must be a generated kind (${PLAYLIST_KINDS.join(", ")}) or an own playlist id such as pl-0123456789abcdef0123`,
    ),
});
/** Only own playlists change: a generated list is saved as one first (POST with `from`). */
export const OwnPlaylistRef = z.strictObject({ id: OwnPlaylistId });

/** A new playlist: named and filled by the listener, or a copy of a generated list's current tracks. */
export const CreatePlaylistBody = z
  .strictObject({
    name: PlaylistName.optional(),
    description: PlaylistDescription.optional(),
    trackIds: z.array(Id).max(L.tracksPerRequest).optional(),
    from: z.enum(PLAYLIST_KINDS).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.name === undefined && body.from === undefined)
      ctx.addIssue({ code: "custom", path: ["name"], message: "is required unless from names a generated list" });
    if (body.from !== undefined && body.trackIds !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["trackIds"],
        message: "cannot be given with from, which copies its tracks",
      });
  });

export const UpdatePlaylistBody = z
  .strictObject({ name: PlaylistName.optional(), description: PlaylistDescription.optional() })
  .refine((b) => b.name !== undefined || b.description !== undefined, "give a name, a description or both");

export const AddTracksBody = z.strictObject({ trackIds: TrackIds, position: Position.optional() });

/** By position (each one removed) or by id (every occurrence removed): one or the other. */
export const RemoveTracksBody = z
  .strictObject({
    positions: z.array(Position).min(1).max(L.tracksPerRequest).optional(),
    trackIds: TrackIds.optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.positions === undefined) === (body.trackIds === undefined))
      ctx.addIssue({ code: "custom", path: ["positions"], message: "give either positions or trackIds, not both" });
  });

export const ReorderTracksBody = z.strictObject({
  rangeStart: Position,
  rangeLength: z.number().int().min(1).max(L.tracksPerPlaylist).default(1),
  insertBefore: Position,
});

/** A smart shuffle repeats for the same seed; without one, the edge draws one and answers it. */
export const ShuffleQuery = z.strictObject({
  seed: z
    .string()
    .regex(/^\d{1,10}$/, "must be a whole number in decimal digits")
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .max(2 ** 32 - 1),
    )
    .optional(),
});

export const ArtistRef = z.strictObject({ artistId: Id });
