import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { eraseListenerData } from "../../workers/edge/privacy";
import { admin } from "./operator";
import { recommendationId } from "../../shared/analytics/attribution";
import { at, day1, day2, DAY1, deliver, event, metrics, MODEL, resetKpis } from "./kpi-fixtures";

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
  listsStarted: 0,
  listsCompleted: 0,
  playlistCompletionRate: null,
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
  listsStarted: 0,
  listsCompleted: 0,
  playlistCompletionRate: null,
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
  beforeEach(resetKpis);

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

  it("playlist completion: lists started and played to their end, per slice", async () => {
    const list = (surface: "discover-weekly" | "own-playlist", nonce: string) =>
      recommendationId({ surface, modelVersion: MODEL, variant: null, servedAt: DAY1 }, nonce);
    const [weekly1, weekly2, own] = [
      list("discover-weekly", "w1"),
      list("discover-weekly", "w2"),
      list("own-playlist", "o1"),
    ];
    const from = (recommendationId: string) => ({ context: { recommendationId, playlistId: "discover-weekly" } });
    await deliver([
      // Two Discover Weekly answers played, one to its end (the session object marked its last track).
      event("l_a", "w1", { clientTs: at(DAY1, 8), ...from(weekly1) }),
      event("l_a", "w2", { clientTs: at(DAY1, 8, 4), type: "complete", listEnd: true, ...from(weekly1) }),
      event("l_b", "w3", { clientTs: at(DAY1, 9), ...from(weekly2) }),
      // Reaching the last track is not yet playing it to its end.
      event("l_b", "w4", { clientTs: at(DAY1, 9, 1), type: "play", listEnd: true, ...from(weekly2) }),
      event("l_a", "o1", { clientTs: at(DAY1, 10), type: "complete", listEnd: true, ...from(own) }),
      // A recommendation is no list; C declined analytics.
      ...day1.filter((m) => m.listener !== "l_b"),
      event("l_c", "w5", { clientTs: at(DAY1, 11), type: "complete", listEnd: true, ...from(own) }),
    ]);
    await deliver(
      [event("l_a", "w2", { clientTs: at(DAY1, 8, 4), type: "complete", listEnd: true, ...from(weekly1) })],
      2,
    );
    expect(
      await metrics(
        "from=2026-11-02&to=2026-11-02&by=surface&metric=listsStarted,listsCompleted,playlistCompletionRate",
      ),
    ).toEqual([
      { surface: "discover-weekly", listsStarted: 2, listsCompleted: 1, playlistCompletionRate: 0.5 },
      { surface: "own-playlist", listsStarted: 1, listsCompleted: 1, playlistCompletionRate: 1 },
      { surface: "recommendations", listsStarted: 0, listsCompleted: 0, playlistCompletionRate: null },
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

  it("erasure: what the listener added is subtracted, small rows of days folded by retention dropped", async () => {
    await deliver([...day1, ...day2]);
    // Retention folded day 1's raw events: A's rows of day 1 cannot be recomputed, and B alone is too few to hide A.
    await env.DB.prepare(
      "INSERT INTO event_rollups (listener_id, track_id, plays, completes, skips, likes, dislikes, repeats, adds, last_ts) VALUES ('l_x', 't1', 1, 0, 0, 0, 0, 0, 0, ?)",
    )
      .bind(at(DAY1, 23))
      .run();
    await eraseListenerData(env.DB, "l_a");
    expect(await metrics(`${BY_DAY}&metric=plays,sessions,dau`)).toEqual([
      { day: "2026-11-02", plays: 1, sessions: 1, dau: 1 },
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
