import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { recommendationId } from "../../shared/analytics/attribution";
import type { QueuedEvent, QueuedSessionSummary } from "../../shared/api/schemas";
import { applyKpiErasure, kpiFootprint } from "../../shared/analytics/store";
import worker from "../../workers/retrainer/index";
import { admin } from "./operator";

const DAY1 = Date.parse("2026-11-02T00:00:00Z"); // a Monday
const DAY2 = DAY1 + 86_400_000;
const at = (day: number, hh: number, mm = 0) => day + hh * 3_600_000 + mm * 60_000;
const MODEL = "v20261101000000-abcdef";
const served = recommendationId(
  { surface: "recommendations", modelVersion: MODEL, variant: "exp1/b", servedAt: DAY1 },
  "nonce1",
);

const event = (listener: string, eventId: string, over: Partial<QueuedEvent>): QueuedEvent => ({
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
const session = (listener: string, startedAt: number, lengthMs: number): QueuedSessionSummary => ({
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
const day1 = [
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
const day2 = [
  event("l_a", "a6", { clientTs: at(DAY2, 9) }),
  event("l_a", "a7", { clientTs: at(DAY2, 9, 3), type: "complete", msPlayed: 200_000 }),
  session("l_a", at(DAY2, 9), 180_000),
];

async function deliver(bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    "setlist-events",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, createExecutionContext());
  expect(result.explicitAcks).toHaveLength(bodies.length);
}

async function metrics(query: string) {
  const response = await admin(`/metrics?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { rows: Record<string, unknown>[] }).rows;
}

const DAY1_FIGURES = {
  day: "2026-11-02",
  plays: 3,
  listeningMs: 330_000,
  skipRate: 1 / 3,
  completionRate: 1 / 3,
  repeatListens: 0,
  trackDiscoveries: 3,
  artistDiscoveries: 2,
  likes: 1,
  saves: 1,
  sessions: 2,
  likesPerSession: 0.5,
  savesPerSession: 0.5,
  sessionLengthMeanMs: 225_000,
  sessionLengthMedianMs: 120_000,
  sessionLengthP90Ms: 330_000,
  dau: 2,
  wau: 2,
  mau: 2,
  dauMau: 1,
};
const DAY2_FIGURES = {
  day: "2026-11-03",
  plays: 1,
  listeningMs: 200_000,
  skipRate: 0,
  completionRate: 1,
  repeatListens: 1,
  trackDiscoveries: 0,
  artistDiscoveries: 0,
  likes: 0,
  saves: 0,
  sessions: 1,
  likesPerSession: 0,
  savesPerSession: 0,
  sessionLengthMeanMs: 180_000,
  sessionLengthMedianMs: 180_000,
  sessionLengthP90Ms: 180_000,
  dau: 1,
  wau: 2,
  mau: 2,
  dauMau: 0.5,
};
const BY_DAY = "from=2026-11-02&to=2026-11-03&by=day";

describe("KPI rollups and GET /admin/metrics", () => {
  beforeEach(async () => {
    await env.DB.batch(
      [
        "events",
        "listeners",
        "sessions",
        "tracks",
        "event_rollups",
        "kpi_daily",
        "kpi_sessions",
        "kpi_listener_days",
      ].map((t) => env.DB.prepare(`DELETE FROM ${t}`)),
    );
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
  });

  it("counts each figure of each day exactly, without the listener who declined analytics", async () => {
    await deliver(day1);
    await deliver(day2);
    expect(await metrics(BY_DAY)).toEqual([DAY1_FIGURES, DAY2_FIGURES]);
  });

  it("a redelivered batch, and batches redelivered out of order, give the same figures", async () => {
    await deliver(day1);
    await deliver(day1, 2);
    await deliver(day2);
    await deliver([...day2, ...day1], 3);
    expect(await metrics(BY_DAY)).toEqual([DAY1_FIGURES, DAY2_FIGURES]);
  });

  it("a late day, arriving after the next one, recomputes what it changes there (repeats, discoveries)", async () => {
    await deliver(day2);
    expect(await metrics(`${BY_DAY}&metric=repeatListens,trackDiscoveries`)).toEqual([
      { day: "2026-11-03", repeatListens: 0, trackDiscoveries: 1 },
    ]);
    await deliver(day1);
    expect(await metrics(BY_DAY)).toEqual([DAY1_FIGURES, DAY2_FIGURES]);
  });

  it("slices by surface, with the variant and model version the recommendation id carries", async () => {
    await deliver([...day1, ...day2]);
    expect(
      await metrics(
        "from=2026-11-02&to=2026-11-03&by=surface&metric=plays,completionRate,repeatListens,sessions,dau,wau,mau,dauMau",
      ),
    ).toEqual([
      {
        surface: "radio",
        plays: 1,
        completionRate: 0,
        repeatListens: 0,
        sessions: null,
        dau: 0.5,
        wau: 1,
        mau: 1,
        dauMau: 0.5,
      },
      {
        surface: "recommendations",
        plays: 3,
        completionRate: 2 / 3,
        repeatListens: 1,
        sessions: null,
        dau: 1,
        wau: 1,
        mau: 1,
        dauMau: 1,
      },
    ]);
    expect(await metrics("from=2026-11-02&to=2026-11-03&by=variant&metric=plays")).toEqual([
      { variant: "exp1/b", plays: 3 },
      { variant: "none", plays: 1 },
    ]);
    expect(await metrics("from=2026-11-02&to=2026-11-03&by=modelVersion&metric=plays")).toEqual([
      { modelVersion: "none", plays: 1 },
      { modelVersion: MODEL, plays: 3 },
    ]);
    expect(await metrics("from=2026-11-02&to=2026-11-03&by=region&metric=plays,sessions,sessionLengthMeanMs")).toEqual([
      { region: "DE", plays: 1, sessions: 1, sessionLengthMeanMs: 120_000 },
      { region: "SE", plays: 3, sessions: 2, sessionLengthMeanMs: 255_000 },
    ]);
    expect(await metrics("from=2026-11-02&to=2026-11-03&by=device&metric=plays,listeningMs")).toEqual([
      { device: "phone", plays: 3, listeningMs: 410_000 },
      { device: "speaker", plays: 1, listeningMs: 120_000 },
    ]);
  });

  it("weekly cohort retention by first-seen week", async () => {
    await deliver([...day1, ...day2]);
    expect(await metrics("from=2026-11-02&to=2026-11-03&metric=retention")).toEqual([
      { week: "2026-11-02", listeners: 2, d1: 0.5, d7: null, d30: null },
    ]);
    expect(await metrics("from=2026-11-02&to=2026-12-31&metric=retention")).toEqual([
      { week: "2026-11-02", listeners: 2, d1: 0.5, d7: 0, d30: 0 },
    ]);
  });

  it("answers CSV for format=csv and for Accept: text/csv", async () => {
    await deliver([...day1, ...day2]);
    const expected = "surface,plays,skipRate\r\nradio,1,0\r\nrecommendations,3,0.3333333333333333\r\n";
    for (const response of [
      await admin("/metrics?from=2026-11-02&to=2026-11-03&by=surface&metric=plays,skipRate&format=csv"),
      await admin("/metrics?from=2026-11-02&to=2026-11-03&by=surface&metric=plays,skipRate", {
        headers: { accept: "text/csv" },
      }),
    ]) {
      expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(await response.text()).toBe(expected);
    }
  });

  it("erasure: days with raw events are recomputed without the listener, small rows of folded days dropped", async () => {
    await deliver([...day1, ...day2]);
    // Retention folded day 1's raw events (the edge's eraseListener runs the same steps around its deletes).
    await env.DB.prepare(
      "INSERT INTO event_rollups (listener_id, track_id, plays, completes, skips, likes, dislikes, repeats, adds, last_ts) VALUES ('l_x', 't1', 1, 0, 0, 0, 0, 0, 0, ?)",
    )
      .bind(at(DAY1, 23))
      .run();
    const erasure = await kpiFootprint(env.DB, "l_a");
    expect(erasure.recompute).toEqual(["2026-11-03"]);
    expect(erasure.retired.map((r) => [r.day, r.surface])).toEqual([["2026-11-02", "recommendations"]]);
    await env.DB.batch(
      ["events", "sessions", "kpi_listener_days", "listeners"].map((t) =>
        env.DB.prepare(`DELETE FROM ${t} WHERE ${t === "listeners" ? "id" : "listener_id"} = 'l_a'`),
      ),
    );
    await applyKpiErasure(env.DB, erasure);
    expect(await metrics(`${BY_DAY}&metric=plays,sessions,dau`)).toEqual([
      { day: "2026-11-02", plays: 1, sessions: 2, dau: 1 },
    ]);
    const left = await env.DB.prepare("SELECT day, surface FROM kpi_daily").all();
    expect(left.results).toEqual([{ day: "2026-11-02", surface: "radio" }]);
  });

  it("a bad parameter is a 400 problem naming it", async () => {
    const cases: [string, string[]][] = [
      ["from=2026-11-02&to=2026-11-03&by=week", ["by"]],
      ["from=yesterday&to=2026-11-03", ["from"]],
      ["to=2026-11-03", ["from"]],
      ["from=2026-11-04&to=2026-11-03", ["to"]],
      ["from=2026-11-02&to=2026-11-03&metric=plays,nope", ["metric.1"]],
      ["from=2026-11-02&to=2026-11-03&metric=retention,plays", ["metric"]],
      ["from=2026-11-02&to=2026-11-03&format=xml", ["format"]],
      ["from=2026-11-02&to=2026-11-03&colour=red", ["(root)"]],
    ];
    for (const [query, paths] of cases) {
      const response = await admin(`/metrics?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      const body = (await response.json()) as { detail: string; errors: { path: string }[] };
      expect(
        body.errors.map((e) => e.path),
        query,
      ).toEqual(paths);
      if (query.includes("colour")) expect(body.detail).toContain("colour");
    }
  });
});
