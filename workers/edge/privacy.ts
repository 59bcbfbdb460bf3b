import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import {
  erasures,
  eventRollups,
  events,
  holdoutScores,
  listeners,
  modelVersions,
  sessions,
} from "../../shared/db/schema";
import { artifactKey } from "../../shared/publish/artifacts";
import type { Env } from "./env";
import { sessionOf } from "./listener";
import { currentModel, listenerCandidates } from "./model-store";
import type { Consent } from "./session";

/** Everything held about one listener, wherever it is kept. */
export async function exportListener(env: Env, pseudonym: string) {
  const d = drizzle(env.DB);
  const model = await currentModel(env);
  const [profile, listening, rollups, closedSessions, evaluations, live, pendingDelivery, recommendations] =
    await Promise.all([
      d.select().from(listeners).where(eq(listeners.id, pseudonym)),
      d.select().from(events).where(eq(events.listenerId, pseudonym)).orderBy(events.clientTs),
      d.select().from(eventRollups).where(eq(eventRollups.listenerId, pseudonym)),
      d.select().from(sessions).where(eq(sessions.listenerId, pseudonym)).orderBy(sessions.startedAt),
      d.select().from(holdoutScores).where(eq(holdoutScores.listenerId, pseudonym)).orderBy(holdoutScores.version),
      sessionOf(env, pseudonym).snapshot(),
      sessionOf(env, pseudonym).pendingDelivery(),
      model ? listenerCandidates(env, model.version, pseudonym) : null,
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
    liveSession: live.state,
    /** Accepted events and session summaries on their way to D1 (the session object's outbox). */
    pendingDelivery,
    recommendations: recommendations && { modelVersion: model!.version, ...recommendations },
  };
}

/**
 * Erasure everywhere the listener is kept: D1 rows, the per-listener KV entries of every model
 * version, and the session object. A tombstone makes the consumer drop events still in the queue
 * and keeps publish jobs already running from writing the listener back.
 */
export async function eraseListener(env: Env, pseudonym: string, now = Date.now()) {
  const d = drizzle(env.DB);
  const [removed] = await d.batch([
    d.delete(events).where(eq(events.listenerId, pseudonym)).returning({ id: events.eventId }),
    d.delete(eventRollups).where(eq(eventRollups.listenerId, pseudonym)),
    d.delete(sessions).where(eq(sessions.listenerId, pseudonym)),
    d.delete(holdoutScores).where(eq(holdoutScores.listenerId, pseudonym)),
    d.delete(listeners).where(eq(listeners.id, pseudonym)),
    d
      .insert(erasures)
      .values({ listenerId: pseudonym, erasedAt: now })
      .onConflictDoUpdate({ target: erasures.listenerId, set: { erasedAt: now } }),
  ]);
  const versions = await d.select({ version: modelVersions.version }).from(modelVersions);
  await Promise.all(versions.map(({ version }) => env.MODELS.delete(artifactKey.listener(version, pseudonym))));
  await sessionOf(env, pseudonym).erase();
  return { events: removed.length, modelVersions: versions.length };
}

export async function updateConsent(env: Env, pseudonym: string, consent: Consent): Promise<Consent> {
  const stored = await sessionOf(env, pseudonym).setConsent(pseudonym, consent);
  await drizzle(env.DB)
    .update(listeners)
    .set({ consentPersonalization: consent.personalization, consentAnalytics: consent.analytics })
    .where(eq(listeners.id, pseudonym));
  return stored;
}
