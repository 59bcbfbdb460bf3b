import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { recommendationId } from "../../shared/analytics/attribution";
import type { QueuedEvent, QueuedSessionSummary } from "../../shared/api/schemas";
import worker from "../../workers/retrainer/index";
import { admin } from "./operator";

export const DAY1 = Date.parse("2026-11-02T00:00:00Z"); // a Monday
export const DAY2 = DAY1 + 86_400_000;
export const at = (day: number, hh: number, mm = 0) => day + hh * 3_600_000 + mm * 60_000;
export const MODEL = "v20261101000000-abcdef";
export const served = recommendationId(
  { surface: "recommendations", modelVersion: MODEL, variant: "exp1/b", servedAt: DAY1 },
  "nonce1",
);

export const event = (listener: string, eventId: string, over: Partial<QueuedEvent>): QueuedEvent => ({
  kind: "event",
  listener,
  eventId,
  trackId: "t1",
  type: "play",
  target: null,
  clientTs: DAY1,
  receivedAt: (over.clientTs ?? DAY1) + 500,
  positionMs: null,
  msPlayed: null,
  device: "phone",
  context: { recommendationId: served },
  region: "SE",
  ...over,
});
export const session = (listener: string, startedAt: number, lengthMs: number): QueuedSessionSummary => ({
  kind: "session",
  listener,
  startedAt,
  endedAt: startedAt + lengthMs,
  lengthMs,
  tracksPlayed: 1,
  skips: 0,
  completions: 0,
});

// Listener A on day 1, from a recommendation: a play and its completion (one start), an early skip of
// another track by the same artist (a start), a like and a save. B on the radio: one start, skipped late.
// C plays too but allows no analytics.
export const day1 = [
  event("l_a", "a1", { clientTs: at(DAY1, 10) }),
  event("l_a", "a2", { clientTs: at(DAY1, 10, 3), type: "complete", msPlayed: 200_000 }),
  event("l_a", "a3", { clientTs: at(DAY1, 10, 4), trackId: "t2", type: "skip", positionMs: 10_000, msPlayed: 10_000 }),
  event("l_a", "a4", { clientTs: at(DAY1, 10, 5), type: "like" }),
  event("l_a", "a5", { clientTs: at(DAY1, 10, 6), type: "add_to_playlist" }),
  event("l_b", "b1", {
    clientTs: at(DAY1, 11),
    trackId: "t3",
    device: "speaker",
    region: "DE",
    context: { source: "radio" },
  }),
  event("l_b", "b2", {
    clientTs: at(DAY1, 11, 2),
    trackId: "t3",
    type: "skip",
    positionMs: 120_000,
    msPlayed: 120_000,
    device: "speaker",
    region: "DE",
    context: { source: "radio" },
  }),
  event("l_c", "c1", { clientTs: at(DAY1, 12), msPlayed: 99_000 }),
  session("l_a", at(DAY1, 10), 330_000),
  session("l_b", at(DAY1, 11), 120_000),
  session("l_c", at(DAY1, 12), 99_000),
];
// A comes back on day 2 and plays t1 again (a repeat, no discovery).
export const day2 = [
  event("l_a", "a6", { clientTs: at(DAY2, 9) }),
  event("l_a", "a7", { clientTs: at(DAY2, 9, 3), type: "complete", msPlayed: 200_000 }),
  session("l_a", at(DAY2, 9), 180_000),
];

/** Empties what the KPIs read and write, and puts back three tracks and C, who declined analytics. */
export async function resetKpis() {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'kpi_%' OR name IN ('events', 'listeners', 'sessions', 'tracks', 'event_rollups', 'erasures'))",
  ).all<{ name: string }>();
  await env.DB.batch(tables.results.map((t) => env.DB.prepare(`DELETE FROM ${t.name}`)));
  const track = (id: string, artist: string) =>
    `('${id}','T','${artist}','A','al','Al','rock','2020-01-01',120,0.5,0.5,0.5,0.5,0.1,0.1,-8,1,1,200000)`;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO tracks (id, title, artist_id, artist_name, album_id, album_title, genre, release_date, tempo, energy, valence, danceability, acousticness, instrumentalness, speechiness, loudness, key, mode, duration_ms) VALUES ${[track("t1", "a1"), track("t2", "a1"), track("t3", "a2")].join(",")}`,
    ),
    // C declined analytics before their first event arrived (the edge writes the row on a consent change).
    env.DB.prepare(
      "INSERT INTO listeners (id, region, consent_personalization, consent_analytics, created_at) VALUES ('l_c', 'SE', 1, 0, 0)",
    ),
  ]);
}

/** Delivers messages to the real consumer, as the queue would (with `db` in place of the D1 when given); all must be acked. */
export async function deliver(bodies: unknown[], attempts = 1, db: D1Database = env.DB) {
  const batch = createMessageBatch(
    "setlist-events",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );
  await worker.queue(batch, { ...env, DB: db });
  const result = await getQueueResult(batch, createExecutionContext());
  expect(result.explicitAcks).toHaveLength(bodies.length);
}

export async function metrics(query: string) {
  const response = await admin(`/metrics?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { rows: Record<string, unknown>[] }).rows;
}
