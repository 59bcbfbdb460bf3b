import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { SOUND_KEY_SQL } from "./sound-key";

export const artists = sqliteTable("artists", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  genres: text("genres", { mode: "json" })
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'`),
});

export const tracks = sqliteTable(
  "tracks",
  {
    id: text("id").primaryKey(),
    title: text("title").notNull(),
    artistId: text("artist_id").notNull(),
    artistName: text("artist_name").notNull(),
    albumId: text("album_id").notNull(),
    albumTitle: text("album_title").notNull(),
    genre: text("genre").notNull(),
    releaseDate: text("release_date").notNull(),
    tempo: real("tempo").notNull(),
    energy: real("energy").notNull(),
    valence: real("valence").notNull(),
    danceability: real("danceability").notNull(),
    acousticness: real("acousticness").notNull(),
    instrumentalness: real("instrumentalness").notNull(),
    speechiness: real("speechiness").notNull(),
    loudness: real("loudness").notNull(),
    key: integer("key").notNull(),
    mode: integer("mode").notNull(),
    durationMs: integer("duration_ms").notNull(),
    soundKey: integer("sound_key").generatedAlwaysAs(sql.raw(SOUND_KEY_SQL), { mode: "virtual" }),
  },
  (t) => [
    index("tracks_artist").on(t.artistId),
    index("tracks_release").on(t.releaseDate),
    // Content neighbours of a track outside the model: its genre's tracks nearest it in sound (contentNeighbours).
    index("tracks_genre_sound").on(t.genre, t.soundKey, t.id),
  ],
);

/** Listener ids here are pseudonyms (HMAC of the id the client knows), never raw ids. */
export const listeners = sqliteTable("listeners", {
  id: text("id").primaryKey(),
  region: text("region"),
  consentPersonalization: integer("consent_personalization", { mode: "boolean" }).notNull().default(true),
  consentAnalytics: integer("consent_analytics", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at").notNull(),
});

/** Event ids are chosen by clients, so they are unique per listener: the pair is the idempotency key. */
export const events = sqliteTable(
  "events",
  {
    listenerId: text("listener_id").notNull(),
    eventId: text("event_id").notNull(),
    trackId: text("track_id").notNull(),
    type: text("type").notNull(),
    target: text("target", { enum: ["track", "artist"] }),
    msPlayed: integer("ms_played"),
    positionMs: integer("position_ms"),
    device: text("device"),
    context: text("context", { mode: "json" }),
    clientTs: integer("client_ts").notNull(),
    receivedAt: integer("received_at").notNull(),
    /** The session object saw this event play the last track of the list its recommendation id names (null: not known to). */
    listEnd: integer("list_end", { mode: "boolean" }),
  },
  (t) => [
    primaryKey({ columns: [t.listenerId, t.eventId] }),
    index("events_track").on(t.trackId),
    index("events_client_ts").on(t.clientTs),
    // The KPI reads of every batch seek a listener's events next to a moment, in (time, id) order: of any track, of one.
    index("events_listener_time").on(t.listenerId, t.clientTs, t.eventId),
    index("events_listener_track").on(t.listenerId, t.trackId, t.clientTs, t.eventId),
  ],
);

export const modelVersions = sqliteTable(
  "model_versions",
  {
    version: text("version").primaryKey(),
    algorithm: text("algorithm").notNull(),
    /**
     * `failed`: its retrain Workflow errored or was cancelled (`failure` says why); `pruned`: past retention,
     * its artefacts deleted (workers/retrainer/retrain/prune.ts), the row kept as history.
     */
    status: text("status", { enum: ["building", "published", "rejected", "failed", "pruned"] }).notNull(),
    metrics: text("metrics", { mode: "json" }),
    listenerCount: integer("listener_count").notNull().default(0),
    trackCount: integer("track_count").notNull().default(0),
    eventCount: integer("event_count").notNull().default(0),
    /** Publishing is split into parts (one Workflow step each); the version goes live when all are written. */
    partsTotal: integer("parts_total").notNull().default(0),
    trigger: text("trigger").notNull(),
    createdAt: integer("created_at").notNull(),
    publishedAt: integer("published_at"),
    /** When the retrain's current step began: a run with none for long is reported stuck. */
    progressAt: integer("progress_at"),
    /** The retrain's current (or last) step, as its Workflow names it. */
    step: text("step"),
    failure: text("failure"),
  },
  // One retrain at a time: a second building row cannot be inserted, however close two requests come.
  (t) => [
    uniqueIndex("model_versions_one_building")
      .on(t.status)
      .where(sql`${t.status} = 'building'`),
  ],
);

/** Closed listening sessions, as the session objects report them: the basis of session-length KPIs. */
export const sessions = sqliteTable(
  "sessions",
  {
    listenerId: text("listener_id").notNull(),
    startedAt: integer("started_at").notNull(),
    endedAt: integer("ended_at").notNull(),
    lengthMs: integer("length_ms").notNull(),
    tracksPlayed: integer("tracks_played").notNull(),
    skips: integer("skips").notNull(),
    completions: integer("completions").notNull(),
    /**
     * When the retrainer stored the summary (the service's clock; null for rows stored before it was
     * kept): experiment results order sessions by it, as they order events by received_at.
     */
    receivedAt: integer("received_at"),
  },
  (t) => [primaryKey({ columns: [t.listenerId, t.startedAt] })],
);

/** API keys of apps, speakers and operators. Only a SHA-256 of each key is stored. */
export const apiKeys = sqliteTable("api_keys", {
  hash: text("hash").primaryKey(),
  name: text("name").notNull(),
  role: text("role", { enum: ["client", "speaker", "operator"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
});

/** Queue messages that exhausted their retries, kept for operators to inspect and replay. */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    messageId: text("message_id").primaryKey(),
    queue: text("queue").notNull(),
    body: text("body", { mode: "json" }).notNull(),
    reason: text("reason"),
    receivedAt: integer("received_at").notNull(),
    replayedAt: integer("replayed_at"),
  },
  (t) => [index("dead_letters_received").on(t.receivedAt)],
);

/**
 * What each queue's consumer saw, per minute (shared/analytics/queue-lag.ts): batches, messages, how many were
 * redeliveries and how long they had waited. About queues, not listeners: nothing here is about anyone.
 */
export const queueLag = sqliteTable(
  "queue_lag",
  {
    queue: text("queue").notNull(),
    minute: integer("minute").notNull(),
    batches: integer("batches").notNull(),
    messages: integer("messages").notNull(),
    retried: integer("retried").notNull(),
    maxWaitMs: integer("max_wait_ms").notNull(),
    totalWaitMs: integer("total_wait_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.queue, t.minute] })],
);

/** Listeners who asked to be erased: the consumer drops their events still in flight. */
/**
 * How far the events consumer has got, one row: the latest time a message it stored was sent to the
 * queue (sent_at, the queue's own timestamp) and when it last stored a batch. The session objects'
 * outboxes read it to tell a message the consumer has not reached yet (still queued: checked again
 * later) from one it passed (lost: sent again).
 */
export const ingestProgress = sqliteTable("ingest_progress", {
  id: integer("id").primaryKey(),
  sentAt: integer("sent_at").notNull(),
  storedAt: integer("stored_at").notNull(),
});

export const erasures = sqliteTable("erasures", {
  listenerId: text("listener_id").primaryKey(),
  erasedAt: integer("erased_at").notNull(),
});

/**
 * Which event-lake objects (R2, see shared/lake/) hold lines of which listener: what an export reads and an
 * erasure rewrites, without listing the lake. A row is added before its object is written.
 */
export const lakeObjects = sqliteTable(
  "lake_objects",
  {
    listenerId: text("listener_id").notNull(),
    objectKey: text("object_key").notNull(),
  },
  (t) => [primaryKey({ columns: [t.listenerId, t.objectKey] })],
);

/** Raw events past the retention window, folded into per-(listener, track) counts the model still learns from. */
export const eventRollups = sqliteTable(
  "event_rollups",
  {
    listenerId: text("listener_id").notNull(),
    trackId: text("track_id").notNull(),
    plays: integer("plays").notNull().default(0),
    completes: integer("completes").notNull().default(0),
    skips: integer("skips").notNull().default(0),
    likes: integer("likes").notNull().default(0),
    dislikes: integer("dislikes").notNull().default(0),
    repeats: integer("repeats").notNull().default(0),
    adds: integer("adds").notNull().default(0),
    lastTs: integer("last_ts").notNull(),
  },
  (t) => [primaryKey({ columns: [t.listenerId, t.trackId] })],
);

/**
 * Each version's figures for every listener its holdout twin evaluated (pseudonyms), so the promotion gate
 * can compare a candidate with the live version listener by listener. Kept for the live version and the
 * recent ones only (see holdout-scores.ts in the retrainer).
 */
export const holdoutScores = sqliteTable(
  "holdout_scores",
  {
    version: text("version").notNull(),
    listenerId: text("listener_id").notNull(),
    ndcg: real("ndcg").notNull(),
    recall: real("recall").notNull(),
  },
  (t) => [primaryKey({ columns: [t.version, t.listenerId] }), index("holdout_scores_listener").on(t.listenerId)],
);

/** A/A and A/B experiments: the operator's definition (shared/experiments/definition.ts) and its lifecycle. */
export const experiments = sqliteTable("experiments", {
  id: text("id").primaryKey(),
  /** ExperimentInput as posted, validated. */
  definition: text("definition", { mode: "json" }).notNull(),
  /** Hashed with the pseudonym for the variant: a new salt gives an independent split. */
  salt: text("salt").notNull(),
  status: text("status", { enum: ["draft", "running", "paused", "stopped", "shipped"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  startedAt: integer("started_at"),
  stoppedAt: integer("stopped_at"),
  shippedVariant: text("shipped_variant"),
  /** Its range of its layer's buckets, [from, to), given at its first start and kept until it stops. */
  bucketFrom: integer("bucket_from"),
  bucketTo: integer("bucket_to"),
});

/** Every change of an experiment: who (the operator key's name) did what, when. */
export const experimentAudit = sqliteTable(
  "experiment_audit",
  {
    experimentId: text("experiment_id").notNull(),
    at: integer("at").notNull(),
    action: text("action").notNull(),
    actor: text("actor").notNull(),
    detail: text("detail", { mode: "json" }),
  },
  (t) => [index("experiment_audit_experiment").on(t.experimentId, t.at)],
);

/**
 * A listener's (pseudonym's) first exposure to an experiment: when an answer of their variant was first
 * served to them. Per listener: exported and erased.
 */
export const experimentExposures = sqliteTable(
  "experiment_exposures",
  {
    experimentId: text("experiment_id").notNull(),
    listenerId: text("listener_id").notNull(),
    variant: text("variant").notNull(),
    exposedAt: integer("exposed_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.experimentId, t.listenerId] }),
    index("experiment_exposures_listener").on(t.listenerId),
  ],
);

/**
 * How long the edge took to build the answers of each variant (shared/experiments/latency.ts): a
 * log-bucketed histogram, `count` answers whose time fell in `bucket` (at most `upper_ms`), from which
 * the p99 guardrail is read. Answers, not listeners: nothing here is about anyone.
 */
export const experimentLatency = sqliteTable(
  "experiment_latency",
  {
    experimentId: text("experiment_id").notNull(),
    variant: text("variant").notNull(),
    bucket: integer("bucket").notNull(),
    upperMs: real("upper_ms").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.variant, t.bucket] })],
);

/** A UTC day and a KPI slice (shared/analytics/slice.ts), the key of every KPI table: fresh columns for each. */
const daySlice = () => ({
  day: text("day").notNull(),
  surface: text("surface").notNull(),
  device: text("device").notNull(),
  region: text("region").notNull(),
  variant: text("variant").notNull(),
  modelVersion: text("model_version").notNull(),
});

/**
 * Engagement figures per UTC day and slice, added to as the consumer stores each new event, in the
 * same D1 batch (shared/analytics/store.ts says how each is counted once). Counts only: rates are
 * derived when read, distinct listeners from kpi_listener_days. Slice values are never null
 * ("unknown", "none", "unattributed") so that the key is a plain primary key.
 */
export const kpiDaily = sqliteTable(
  "kpi_daily",
  {
    ...daySlice(),
    starts: integer("starts").notNull(),
    listeningMs: integer("listening_ms").notNull(),
    earlySkips: integer("early_skips").notNull(),
    completions: integer("completions").notNull(),
    repeats: integer("repeats").notNull(),
    trackDiscoveries: integer("track_discoveries").notNull(),
    artistDiscoveries: integer("artist_discoveries").notNull(),
    likes: integer("likes").notNull(),
    saves: integer("saves").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.surface, t.device, t.region, t.variant, t.modelVersion] })],
);

/** Closed sessions per UTC day of their start and region, as a histogram of exact lengths (mergeable percentiles). */
export const kpiSessions = sqliteTable(
  "kpi_sessions",
  {
    day: text("day").notNull(),
    region: text("region").notNull(),
    lengthMs: integer("length_ms").notNull(),
    sessions: integer("sessions").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.region, t.lengthMs] })],
);

/**
 * Which slices each listener (pseudonym) was active in, per UTC day: distinct actives over any window
 * (WAU, MAU), listeners per slice and cohort retention cannot be summed from daily counts. Per
 * listener: exported and erased.
 */
export const kpiListenerDays = sqliteTable(
  "kpi_listener_days",
  {
    ...daySlice(),
    listenerId: text("listener_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.listenerId, t.surface, t.device, t.region, t.variant, t.modelVersion] }),
    index("kpi_listener_days_listener").on(t.listenerId),
  ],
);

/**
 * Each served list (its recommendation id names a list surface) played on a day, and whether its
 * last track was completed that day: lists started and completed are distinct ids, so rows, not
 * counters. Per listener (pseudonym): exported and erased.
 */
export const kpiListPlays = sqliteTable(
  "kpi_list_plays",
  {
    ...daySlice(),
    recommendationId: text("recommendation_id").notNull(),
    listenerId: text("listener_id").notNull(),
    completed: integer("completed", { mode: "boolean" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.recommendationId, t.device] }),
    index("kpi_list_plays_listener").on(t.listenerId),
  ],
);

/**
 * A counter per listener (pseudonym) that every write of their events, sessions or KPI consent
 * raises: the consumer computes what a batch adds from what it read, and its batch commits only if
 * no listener's revision (nor consent, nor erasure) moved since (see kpiConflicts). Erased with them.
 */
export const kpiListenerRevisions = sqliteTable("kpi_listener_revisions", {
  listenerId: text("listener_id").primaryKey(),
  revision: integer("revision").notNull(),
});

/**
 * Never holds a row: a batch whose reads went stale inserts its count of changed listeners here,
 * which the check refuses, so the whole batch (one transaction) rolls back and is computed again.
 */
export const kpiConflicts = sqliteTable("kpi_conflicts", { listeners: integer("listeners").notNull() }, (t) => [
  check("kpi_listener_changed_since_read", sql`${t.listeners} = 0`),
]);
