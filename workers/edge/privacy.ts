import { eq, ne } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { deadLettersOf } from "../../shared/db/queries";
import { listenerRow } from "../../shared/db/rows";
import {
  deadLetters,
  erasures,
  eventRollups,
  events,
  experimentExposures,
  holdoutScores,
  kpiListenerDays,
  kpiListenerRevisions,
  kpiListPlays,
  listeners,
  modelVersions,
  sessions,
} from "../../shared/db/schema";
import {
  addListener,
  bump,
  counts,
  guard,
  readWhole,
  removeListener,
  retryConflicts,
} from "../../shared/analytics/store";
import { artifactKey } from "../../shared/publish/artifacts";
import type { LakeErasure } from "../../shared/api/schemas";
import { eraseFromLake, lakeRecordsOf } from "../../shared/lake/objects";
import { Degradation } from "./degraded";
import type { Env } from "./env";
import { sessionOf } from "./listener";
import { currentModel, forgetListener, listenerCandidates } from "./model-store";
import type { Consent } from "./session";

/**
 * Everything held about one listener, wherever it is kept. Without KV the published candidates cannot
 * be read: the export says so in `degraded` rather than failing.
 */
export async function exportListener(env: Env, pseudonym: string) {
  const d = drizzle(env.DB);
  const degraded = new Degradation();
  const model = await degraded.read("kv", () => currentModel(env), null);
  const [
    profile,
    listening,
    rollups,
    closedSessions,
    evaluations,
    parked,
    live,
    pendingDelivery,
    recommendations,
    generatedPlaylists,
    ownPlaylists,
    following,
    radioStations,
    listProgress,
    timeZone,
    storedExposures,
    liveExposures,
    activeDays,
    listPlays,
    lakeEvents,
  ] = await Promise.all([
    d.select().from(listeners).where(eq(listeners.id, pseudonym)),
    d.select().from(events).where(eq(events.listenerId, pseudonym)).orderBy(events.clientTs),
    d.select().from(eventRollups).where(eq(eventRollups.listenerId, pseudonym)),
    d.select().from(sessions).where(eq(sessions.listenerId, pseudonym)).orderBy(sessions.startedAt),
    d.select().from(holdoutScores).where(eq(holdoutScores.listenerId, pseudonym)).orderBy(holdoutScores.version),
    d.select().from(deadLetters).where(deadLettersOf(pseudonym)).orderBy(deadLetters.receivedAt),
    sessionOf(env, pseudonym).snapshot(),
    sessionOf(env, pseudonym).pendingDelivery(),
    model ? degraded.read("kv", () => listenerCandidates(env, model.version, pseudonym), null) : null,
    sessionOf(env, pseudonym).generatedPlaylists(),
    sessionOf(env, pseudonym).ownPlaylists(),
    sessionOf(env, pseudonym).following(),
    sessionOf(env, pseudonym).stations(),
    sessionOf(env, pseudonym).listProgress(),
    // Asked with no zone of its own, it only reads the one kept.
    sessionOf(env, pseudonym).timeZone(null),
    d
      .select()
      .from(experimentExposures)
      .where(eq(experimentExposures.listenerId, pseudonym))
      .orderBy(experimentExposures.exposedAt),
    sessionOf(env, pseudonym).exposures(),
    d.select().from(kpiListenerDays).where(eq(kpiListenerDays.listenerId, pseudonym)).orderBy(kpiListenerDays.day),
    d.select().from(kpiListPlays).where(eq(kpiListPlays.listenerId, pseudonym)).orderBy(kpiListPlays.day),
    degraded.read("r2", () => lakeRecordsOf(env.LAKE, env.DB, pseudonym), null),
  ]);
  const strip = <T extends { listenerId: string }>({ listenerId: _, ...rest }: T) => rest;
  return {
    pseudonym,
    profile: profile[0] ? { ...profile[0], id: undefined } : null,
    consent: live.consent,
    events: listening.map(strip),
    aggregatedEvents: rollups.map(strip),
    sessions: closedSessions.map(strip),
    // How well each model version ranked the listener's held-out plays, kept to judge new versions.
    modelEvaluations: evaluations.map(strip),
    // Messages the consumer could not store, kept for an operator to replay or inspect.
    deadLetters: parked,
    liveSession: live.state,
    /** Accepted events and session summaries on their way to D1 (the session object's outbox). */
    pendingDelivery,
    // The candidates and what they heard; the catalog rows carried beside them are nobody's data.
    recommendations: recommendations && {
      modelVersion: model!.version,
      candidates: recommendations.candidates,
      heard: recommendations.heard,
    },
    /** Each generated list as frozen for its latest period (session object). */
    generatedPlaylists,
    /** The playlists the listener made or saved, with their tracks in order (session object). */
    ownPlaylists,
    following,
    /** Each radio station with every track it served (session object). */
    radioStations,
    /** Where the listener is in each list: the position of the track to play next (session object). */
    listProgress,
    /** The last time zone a client sent, which the lists' periods follow (session object). */
    timeZone,
    /**
     * Each experiment whose variant was served to the listener, which variant and when first (D1, and the
     * session object, which logs them), and when the listener was first seen (for targeting new listeners).
     */
    experiments: {
      exposures: storedExposures.map(strip),
      loggedExposures: liveExposures,
      firstSeenAt: live.experiments.firstSeenAt,
    },
    /** The days and slices the listener was active in, counted in daily, weekly and monthly actives and retention. */
    activeDays: activeDays.map(strip),
    /** The served lists they played, per day, and whether they played each to its end (KPIs' playlist completion). */
    listPlays: listPlays.map(strip),
    /**
     * Every event as the event lake keeps it (R2, day-partitioned files external trainers read): the same
     * events as `events`, and those older than D1's retention window, which D1 only keeps as counts.
     */
    lakeEvents: lakeEvents?.map(({ listener: _, ...rest }) => rest) ?? null,
    degraded: degraded.stores,
  };
}

/**
 * Erasure everywhere the listener is kept: D1 rows, the per-listener KV entries of every model
 * version not yet pruned (retention keeps a bounded few, so this stays a handful of deletes however many
 * versions were ever built), the session object and the event lake. A tombstone makes the consumer drop
 * events still in the queue and keeps publish steps already running from writing the listener back. The
 * lake's objects are rewritten in bounded steps: the first here, any further ones by the consumer (a
 * `lake-erasure` message).
 */
export async function eraseListener(env: Env, pseudonym: string, now = Date.now()) {
  const removed = await eraseListenerData(env.DB, pseudonym, now);
  // The session object first: its live session and outbox are gone even if KV then fails.
  await sessionOf(env, pseudonym).erase();
  forgetListener(pseudonym);
  const versions = await drizzle(env.DB)
    .select({ version: modelVersions.version })
    .from(modelVersions)
    .where(ne(modelVersions.status, "pruned"));
  await Promise.all(versions.map(({ version }) => env.MODELS.delete(artifactKey.listener(version, pseudonym))));
  const lake = await eraseFromLake(env.LAKE, env.DB, pseudonym);
  if (lake.more) {
    await env.EVENTS.send({ kind: "lake-erasure", listener: pseudonym } satisfies LakeErasure, { contentType: "json" });
  }
  return {
    events: removed,
    modelVersions: versions.length,
    lakeObjects: lake.rewritten,
    lakeErasureContinues: lake.more,
  };
}

/** A drizzle query as a D1 statement, to share a batch with the KPI statements. */
const statement = (db: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }) => {
  const { sql, params } = query.toSQL();
  return db.prepare(sql).bind(...params);
};

/**
 * The listener's D1 rows and tombstone, and in the same batch their KPIs: what their raw events and
 * sessions added is subtracted (shared/analytics/store.ts removeListener). Guarded like the
 * consumer's batches, so a batch of theirs stored meanwhile makes this one read and compute again.
 * Answers how many events were deleted.
 */
export async function eraseListenerData(db: D1Database, pseudonym: string, now = Date.now()): Promise<number> {
  const d = drizzle(db);
  return retryConflicts(async () => {
    const read = await readWhole(db, pseudonym);
    const [, removed] = await db.batch([
      guard(db, [read]),
      statement(db, d.delete(events).where(eq(events.listenerId, pseudonym)).returning({ id: events.eventId })),
      ...removeListener(db, read),
      ...[eventRollups, sessions, holdoutScores, experimentExposures].map((t) =>
        statement(db, d.delete(t).where(eq(t.listenerId, pseudonym))),
      ),
      statement(db, d.delete(kpiListenerRevisions).where(eq(kpiListenerRevisions.listenerId, pseudonym))),
      statement(db, d.delete(deadLetters).where(deadLettersOf(pseudonym))),
      statement(db, d.delete(listeners).where(eq(listeners.id, pseudonym))),
      statement(
        db,
        d
          .insert(erasures)
          .values({ listenerId: pseudonym, erasedAt: now })
          .onConflictDoUpdate({ target: erasures.listenerId, set: { erasedAt: now } }),
      ),
    ]);
    return removed!.results.length;
  });
}

/**
 * Consent in the session object and in D1, where training reads it. A listener D1 has no row for yet
 * (their first events still on their way) gets one, so the consumer's first-seen row cannot bring
 * back the default of consent.
 */
export async function updateConsent(env: Env, pseudonym: string, consent: Consent, now = Date.now()): Promise<Consent> {
  const stored = await sessionOf(env, pseudonym).setConsent(pseudonym, consent);
  await storeConsent(env.DB, pseudonym, consent, now);
  return stored;
}

/**
 * Consent in D1 and, in the same guarded batch, the KPIs: withdrawing analytics takes what the
 * listener's raw events added out of the rollups, consenting again puts it back.
 */
export async function storeConsent(db: D1Database, pseudonym: string, consent: Consent, now = Date.now()) {
  const choice = { consentPersonalization: consent.personalization, consentAnalytics: consent.analytics };
  const upsert = drizzle(db)
    .insert(listeners)
    .values({ ...listenerRow(pseudonym, null, now), ...choice })
    .onConflictDoUpdate({ target: listeners.id, set: choice });
  await retryConflicts(async () => {
    const read = await readWhole(db, pseudonym);
    const change =
      counts(read) === consent.analytics ? [] : consent.analytics ? addListener(db, read) : removeListener(db, read);
    await db.batch([guard(db, [read]), statement(db, upsert), ...change, bump(db, [pseudonym])]);
  });
}

/**
 * The answers of a listener's privacy rights, asked by the listener (/v1/me) or by an operator for
 * them (/admin/listeners): the same data either way.
 */
export const privacyAnswers = {
  async consent(env: Env, pseudonym: string): Promise<Consent> {
    return (await sessionOf(env, pseudonym).snapshot()).consent;
  },
  async changeConsent(env: Env, pseudonym: string, change: Partial<Consent>): Promise<Consent> {
    return updateConsent(env, pseudonym, { ...(await privacyAnswers.consent(env, pseudonym)), ...change });
  },
  async export(env: Env, listenerId: string, pseudonym: string) {
    const data = await exportListener(env, pseudonym);
    return { listenerId, exportedAt: new Date().toISOString(), ...data };
  },
  async erase(env: Env, listenerId: string, pseudonym: string) {
    return { listenerId, erased: true as const, removed: await eraseListener(env, pseudonym) };
  },
};
