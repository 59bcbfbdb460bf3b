import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import type { ExperimentResults } from "../../shared/analytics/experiment-stats/results";
import { experimentDefinition, simulator } from "../../shared/analytics/experiment-stats/test-fixtures";
import { NEUTRAL_FEATURES } from "../../shared/catalog/features";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { events, experimentExposures, experiments, listeners, sessions, tracks } from "../../shared/db/schema";
import { readListenerOutcomes } from "../../workers/retrainer/experiment-results";
import { admin } from "./operator";

const DAY = 24 * 3600 * 1000;
const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 1);

type Row<T extends { $inferInsert: unknown }> = T["$inferInsert"];
// Bulk inserts write every column, defaults included.
const consenting = { consentPersonalization: true, consentAnalytics: true };
const rows = {
  listeners: [] as Row<typeof listeners>[],
  events: [] as Row<typeof events>[],
  sessions: [] as Row<typeof sessions>[],
  exposures: [] as Row<typeof experimentExposures>[],
};

/** A 200 s track (NEUTRAL_FEATURES' duration): a skip is early before 30 s, and before 50 s by the quarter rule. */
function track(id: string): Row<typeof tracks> {
  return {
    id,
    title: id,
    artistId: "a1",
    artistName: "A",
    albumId: "al1",
    albumTitle: "Al",
    genre: "rock",
    releaseDate: "2020-01-01",
    ...NEUTRAL_FEATURES,
  };
}

/** A listener's listening session: `starts` tracks played 4 minutes apart, each completed or skipped early. */
function listen(listenerId: string, at: number, starts: number, skipRate: number, random: () => number) {
  for (let k = 0; k < starts; k++) {
    const ts = at + k * 4 * MINUTE;
    const trackId = `t${k % 5}`;
    const base = { listenerId, trackId, receivedAt: ts, msPlayed: null, positionMs: null };
    rows.events.push({ ...base, eventId: `${ts}-play`, type: "play", clientTs: ts });
    const skipped = random() < skipRate;
    rows.events.push({
      ...base,
      eventId: `${ts}-end`,
      type: skipped ? "skip" : "complete",
      clientTs: ts + (skipped ? 10_000 : 200_000),
      positionMs: skipped ? 10_000 : 200_000,
      msPlayed: skipped ? 10_000 : 200_000,
    });
  }
  rows.sessions.push({
    listenerId,
    startedAt: at,
    endedAt: at + starts * 4 * MINUTE,
    receivedAt: at + starts * 4 * MINUTE,
    lengthMs: Math.round((starts * 4 + 10 * random()) * MINUTE),
    tracksPlayed: starts,
    skips: 0,
    completions: 0,
  });
}

/**
 * 2,000 simulated listeners, each with a hidden skip propensity: a session three days before exposure
 * (control's ranking for all) and one after it (the model's picks skipped less: 0.25 against 0.30).
 * Exposed twice: a balanced experiment, and one whose split was broken to 45/55.
 */
function simulatedExperiment() {
  const sim = simulator(15);
  for (let i = 0; i < 2000; i++) {
    const id = `sim-${i}`;
    const variant = sim.random() < 0.5 ? "control" : "treatment";
    const taste = 0.15 * sim.gaussian();
    const exposedAt = START + Math.floor(sim.random() * 7) * DAY + 9 * 3600_000;
    rows.listeners.push({ id, region: "SE", createdAt: START - 30 * DAY, ...consenting });
    listen(id, exposedAt - 3 * DAY, 6, 0.3 + taste, sim.random);
    listen(id, exposedAt + 1000, 6, (variant === "treatment" ? 0.25 : 0.3) + taste, sim.random);
    rows.exposures.push({ experimentId: "balanced", listenerId: id, variant, exposedAt });
    rows.exposures.push({ experimentId: "srm", listenerId: id, variant: i < 900 ? "control" : "treatment", exposedAt });
  }
}

/**
 * Two listeners whose every figure is known: they played before exposure, after it, and after the
 * experiment stopped; a third does not allow analytics and is not counted. What happened is ordered
 * by when the service received it: a play made offline before exposure but synced after it, and a
 * session open across the exposure that closed after it, count as post-exposure.
 */
function handMadeListeners() {
  const exposedAt = START + 10 * DAY;
  rows.listeners.push(
    { id: "hand-1", region: "SE", createdAt: 0, ...consenting },
    { id: "hand-2", region: "SE", createdAt: 0, ...consenting },
    { id: "private", region: "SE", createdAt: 0, consentPersonalization: true, consentAnalytics: false },
  );
  const e = (listenerId: string, eventId: string, type: string, trackId: string, clientTs: number, more = {}) =>
    rows.events.push({ listenerId, eventId, type, trackId, clientTs, receivedAt: clientTs, ...more });
  for (const id of ["hand-1", "hand-2", "private"]) {
    rows.exposures.push({ experimentId: "hand", listenerId: id, variant: "control", exposedAt });
    // Pre-exposure: one play completed, one skip at 5 s with no play before it (a start of its own).
    e(id, "pre-1", "play", "t1", exposedAt - 2 * DAY);
    e(id, "pre-2", "complete", "t1", exposedAt - 2 * DAY + 200_000, { msPlayed: 200_000 });
    e(id, "pre-3", "skip", "t2", exposedAt - 2 * DAY + 300_000, { positionMs: 5_000, msPlayed: 5_000 });
    // Older than the covariate's 14 days: not read.
    e(id, "old", "play", "t1", exposedAt - 20 * DAY);
    // Post-exposure: a play skipped at 55 s (late: past 30 s and a quarter of the 200 s track; and no new
    // start), a play skipped at 20 s (early), a like, and a play of which a skip at 60 s comes an hour
    // later (the session ended in between: a start of its own).
    e(id, "post-1", "play", "t1", exposedAt);
    e(id, "post-2", "skip", "t1", exposedAt + 55_000, { positionMs: 55_000, msPlayed: 55_000 });
    e(id, "post-3", "play", "t2", exposedAt + 60_000);
    e(id, "post-4", "skip", "t2", exposedAt + 80_000, { positionMs: 20_000, msPlayed: 20_000 });
    e(id, "post-5", "like", "t2", exposedAt + 90_000);
    e(id, "post-6", "play", "t3", exposedAt + 100_000);
    e(id, "post-7", "skip", "t3", exposedAt + 100_000 + 3600_000, { positionMs: 60_000, msPlayed: 60_000 });
    // Played offline an hour before exposure, synced two hours after it: a post-exposure start.
    e(id, "synced", "play", "t4", exposedAt - 3600_000, { receivedAt: exposedAt + 2 * 3600_000 });
    // Played two days before exposure, synced 20 days after: not read (the experiment stopped).
    e(id, "synced-late", "play", "t4", exposedAt - 2 * DAY + 1000, { receivedAt: exposedAt + 20 * DAY });
    // After the experiment stopped: not its concern.
    e(id, "late", "play", "t1", exposedAt + 3 * DAY);
    rows.sessions.push(
      {
        listenerId: id,
        startedAt: exposedAt - 2 * DAY,
        endedAt: exposedAt - 2 * DAY + 600_000,
        receivedAt: exposedAt - 2 * DAY + 600_000,
        lengthMs: 600_000,
        tracksPlayed: 2,
        skips: 1,
        completions: 1,
      },
      {
        listenerId: id,
        // Opened ten minutes before exposure, closed after it: served partly by the variant.
        startedAt: exposedAt - 600_000,
        endedAt: exposedAt + 300_000,
        receivedAt: exposedAt + 300_000,
        lengthMs: 300_000,
        tracksPlayed: 2,
        skips: 2,
        completions: 0,
      },
      {
        listenerId: id,
        startedAt: exposedAt + 3600_000,
        endedAt: exposedAt + 3600_000 + 100_000,
        receivedAt: exposedAt + 3600_000 + 100_000,
        lengthMs: 100_000,
        tracksPlayed: 1,
        skips: 1,
        completions: 0,
      },
      {
        listenerId: id,
        startedAt: exposedAt + 3 * DAY,
        endedAt: exposedAt + 3 * DAY + 999_000,
        receivedAt: exposedAt + 3 * DAY + 999_000,
        lengthMs: 999_000,
        tracksPlayed: 1,
        skips: 0,
        completions: 0,
      },
    );
  }
  return exposedAt;
}

let handExposedAt = 0;
beforeAll(async () => {
  simulatedExperiment();
  handExposedAt = handMadeListeners();
  const db = drizzle(env.DB);
  await env.DB.batch([
    ...bulkInsertStatements(env.DB, tracks, ["t0", "t1", "t2", "t3", "t4"].map(track), "ignore"),
    ...bulkInsertStatements(env.DB, listeners, rows.listeners, "ignore"),
    ...bulkInsertStatements(env.DB, events, rows.events, "ignore"),
    ...bulkInsertStatements(env.DB, sessions, rows.sessions, "ignore"),
    ...bulkInsertStatements(env.DB, experimentExposures, rows.exposures, "ignore"),
  ]);
  await db.insert(experiments).values([
    ...["balanced", "srm"].map((id) => ({
      id,
      definition: experimentDefinition({ name: id }),
      salt: id,
      status: "running" as const,
      createdAt: START,
      startedAt: START,
    })),
    {
      id: "hand",
      definition: experimentDefinition({ name: "hand" }),
      salt: "hand",
      status: "stopped",
      createdAt: START,
      startedAt: START,
      stoppedAt: handExposedAt + 2 * DAY,
    },
    {
      id: "draft",
      definition: experimentDefinition({ name: "draft" }),
      salt: "draft",
      status: "draft",
      createdAt: START,
    },
  ]);
});

async function results(id: string) {
  const response = await admin(`/experiments/${id}/results`);
  expect(response.status).toBe(200);
  return (await response.json()) as ExperimentResults & { id: string; status: string };
}

describe("GET /admin/experiments/{id}/results", () => {
  it("aggregates each exposed listener's events and sessions before and after exposure, by arrival, by the KPIs' rules", async () => {
    const outcomes = await readListenerOutcomes(env.DB, "hand", handExposedAt + 2 * DAY);
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toEqual({
      variant: "control",
      pre: {
        starts: 2,
        earlySkips: 1,
        completions: 1,
        listeningMs: 205_000,
        sessions: 1,
        sessionMs: 600_000,
        likesAndSaves: 0,
      },
      post: {
        starts: 5,
        earlySkips: 1,
        completions: 0,
        listeningMs: 135_000,
        sessions: 2,
        sessionMs: 400_000,
        likesAndSaves: 1,
      },
    });
    const answer = await results("hand");
    expect(answer).toMatchObject({ id: "hand", status: "stopped", listeners: 2 });
    expect(answer.variants[0]!.metrics.skipRate).toMatchObject({ mean: 1 / 5, vsControl: null });
    expect(answer.variants[0]!.metrics.sessionLength.mean).toBe(200_000);
  });

  it("finds the model's lower skip rate significant", async () => {
    const answer = await results("balanced");
    const [control, model] = answer.variants;
    const skip = model!.metrics.skipRate;
    console.log(
      `D1 fixture: ${control!.listeners}/${model!.listeners} listeners, skip rate ` +
        `${control!.metrics.skipRate.mean!.toFixed(4)} vs ${skip.mean!.toFixed(4)}, lift ${(100 * skip.vsControl!.lift).toFixed(1)}% ` +
        `[${skip.vsControl!.liftInterval.map((v) => (100 * v).toFixed(1)).join("%, ")}%], always-valid p ${skip.vsControl!.p.toExponential(2)}, ` +
        `CUPED variance reduction ${(100 * skip.varianceReduction!).toFixed(0)}%; SRM p ${answer.srm.p.toFixed(3)}`,
    );
    expect(answer.srm.flagged).toBe(false);
    expect(skip.vsControl).toMatchObject({ significant: true, direction: "better" });
    expect(model!.primary).toBe("better");
    expect(model!.guardrails).toEqual([{ metric: "sessionLength", tolerance: 0.05, measured: true, breached: false }]);
    expect(answer.verdict).toMatchObject({ decision: "ship", variant: "treatment" });
  });

  it("flags an injected 45/55 split with the sample-ratio check", async () => {
    const answer = await results("srm");
    console.log(
      `D1 fixture, 45/55 split: ${answer.variants.map((v) => v.listeners).join("/")}, chi-square ${answer.srm.chiSquare.toFixed(1)}, p ${answer.srm.p.toExponential(2)}`,
    );
    expect(answer.variants.map((v) => v.listeners)).toEqual([900, 1100]);
    expect(answer.srm).toMatchObject({ flagged: true, degreesOfFreedom: 1 });
    expect(answer.srm.p).toBeLessThan(0.001);
    expect(answer.verdict.decision).toBe("invalid");
  });

  it("answers a draft with no exposures with a result saying there is no data", async () => {
    const answer = await results("draft");
    expect(answer).toMatchObject({ id: "draft", status: "draft", listeners: 0, verdict: { decision: "no-data" } });
  });

  it("answers an unknown experiment with a 404 problem", async () => {
    const response = await admin("/experiments/nope/results");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 404, detail: "No experiment nope" });
  });
});
