/**
 * The listener simulator against a started network (seeded with the demo), one run serving both
 * halves: its events reach D1 with the recommendation ids of the answers they were played from, its
 * sessions are closed and stored, and its listeners skip less of what they are recommended than of
 * the charts; and three experiments run at once in one layer, on disjoint thirds of its listeners,
 * are read as an operator reads them: an A/A finds nothing, the published model beats popularity on
 * skip rate (and its sessions are longer), and a broken ranking trips its skip-rate guardrail.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { startLocalNetwork, type LocalNetwork } from "../../scripts/local-network";
import { resultLines, runSimulation, type ResultsAnswer, type SimulationReport } from "../../scripts/simulation";
import { LISTENER_METRICS } from "../../shared/analytics/experiment-stats/outcome";
import type { ExperimentInput } from "../../shared/experiments/definition";
import { skipRate } from "../../shared/simulator";
import { asListener, asOperator, call, testStorage } from "./client";

/** Beside `npm start` (8787), the benchmarks (8797, 8798) and the other process tests (8811, 8812, 8827). */
const PORT = 8834;
const SAMPLE = 6;
/**
 * Sized for CI: two days before the experiments start and four under them. The two experiments that must
 * find their effect share 80% of the layer: at 180 listeners and a third each (about 28 a variant) the
 * popularity variant's session-length lift or the broken ranking's skip-rate bound missed significance in
 * three runs of six, since the variants' split changes with each run's experiment ids. The popularity
 * variant's session-length lift (about -25%) is the smaller effect, and at 40% of 300 listeners its bound
 * still reached zero in one run (-23.9% [-50.6%, 2.8%]), so it gets half the layer (some 70 listeners a
 * variant) and the broken ranking, whose lifts are about twice as large, 30%.
 */
const LISTENERS = 300;
const DAYS = 6;
const PRE_DAYS = 2;

let network: LocalNetwork | undefined;
const persistTo = testStorage("simulate", () => network);

interface Exported {
  events: { eventId: string; context: string | { recommendationId?: string } | null }[];
  sessions: { startedAt: number }[];
}

type Draft = Pick<ExperimentInput, "name" | "variants"> &
  Partial<Pick<ExperimentInput, "guardrails">> & { traffic: number };
const common = {
  hypothesis: "the simulator's listeners tell the variants apart, or do not",
  layer: "ranking",
  targeting: { surfaces: ["recommendations", "speaker"], listeners: "all" },
  primaryMetric: "skipRate",
  guardrails: [
    { metric: "skipRate", tolerance: 0.05 },
    { metric: "sessionLength", tolerance: 0.05 },
  ],
  // A bench of 30 to 60 listeners a variant is sized for large effects (the always-valid tests' spread).
  minimumDetectableEffect: 0.25,
};
/** Disjoint traffic in one layer: no listener is in two of them. */
const DRAFTS: Record<"aa" | "popularity" | "broken", Draft> = {
  aa: {
    name: "A/A",
    traffic: 0.2,
    variants: [
      { name: "a", share: 0.5 },
      { name: "b", share: 0.5 },
    ],
  },
  popularity: {
    name: "Model against popularity",
    traffic: 0.5,
    variants: [
      { name: "model", share: 0.5 },
      { name: "popular", share: 0.5, overrides: { candidateSources: ["chart"] } },
    ],
  },
  broken: {
    name: "A broken ranking",
    traffic: 0.3,
    variants: [
      { name: "control", share: 0.5 },
      // Ranked by novelty alone (no relevance), half of it exploration, popular tracks pushed down.
      { name: "broken", share: 0.5, overrides: { explorationShare: 0.5, diversityLambda: 0, popularityPenalty: 2 } },
    ],
    // A change to the ranking itself is held to no worse skip rate at all: the broken ranking's lift (about +55%)
    // had an always-valid lower bound near the common 5% in one run of three, at some 25 listeners a variant.
    guardrails: [
      { metric: "skipRate", tolerance: 0 },
      { metric: "sessionLength", tolerance: 0.05 },
    ],
  },
};

let report: SimulationReport;
const ids = {} as Record<keyof typeof DRAFTS, string>;

beforeAll(async () => {
  network = await startLocalNetwork(PORT, { persistTo });
  for (const [key, draft] of Object.entries(DRAFTS) as [keyof typeof DRAFTS, Draft][]) {
    const created = await call<{ id: string }>(
      network,
      "/admin/experiments",
      { method: "POST", headers: asOperator, body: JSON.stringify({ ...common, ...draft }) },
      201,
    );
    ids[key] = created.id;
  }
  report = await runSimulation({
    base: network.base,
    listeners: LISTENERS,
    days: DAYS,
    experiments: Object.values(ids),
    preDays: PRE_DAYS,
    seed: 1,
    concurrency: 8,
  });
  const lines = report.days.map(
    (d) => `day ${d.day} (${d.when}): ${d.tally.sessions} sessions, ${d.tally.plays} plays`,
  );
  console.log(`[simulate test] ${lines.join("; ")}; ${report.requests} requests in ${report.wallMs} ms`);
}, 540_000);

it("a simulation reaches D1 with its attribution ids, and recommendations beat the charts", async () => {
  expect(report.days).toHaveLength(DAYS);
  for (const day of report.days) expect(day.tally.plays).toBeGreaterThan(0);
  // Every day is backdated, one calendar day after another, ending before the run.
  expect(new Set(report.days.map((d) => d.when)).size).toBe(DAYS);
  const { recommendations, charts } = report.bySurface;
  console.log(
    `[simulate test] skip rate: recommendations ${skipRate(recommendations).toFixed(3)} (${recommendations.plays} plays), charts ${skipRate(charts).toFixed(3)} (${charts.plays} plays)`,
  );
  expect(charts.plays).toBeGreaterThan(50);
  expect(skipRate(recommendations)).toBeLessThan(skipRate(charts));

  // Listeners who played from a personal answer: every event they sent is in D1, each credited as sent.
  const sample = [...report.echoed.keys()].slice(0, SAMPLE);
  expect(sample).toHaveLength(SAMPLE);
  const exportOf = async (listenerId: string) =>
    call<Exported>(network!, "/v1/me/export", { headers: await asListener(listenerId) }, 200);
  const deadline = Date.now() + 90_000;
  let exported: Exported[] = [];
  for (;;) {
    exported = await Promise.all(sample.map(exportOf));
    const complete = sample.every((listenerId, i) => {
      const stored = new Set(exported[i]!.events.map((e) => e.eventId));
      return report.sent.get(listenerId)!.every((id) => stored.has(id));
    });
    if (complete || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  sample.forEach((listenerId, i) => {
    const ours = exported[i]!.events.filter((e) => e.eventId.startsWith("sim-"));
    expect(ours.map((e) => e.eventId).toSorted(), listenerId).toEqual(report.sent.get(listenerId)!.toSorted());
    const credited = new Set(
      ours.flatMap((e) => {
        const context = typeof e.context === "string" ? JSON.parse(e.context) : e.context;
        return context?.recommendationId ? [context.recommendationId as string] : [];
      }),
    );
    expect(credited, listenerId).toEqual(report.echoed.get(listenerId));
    // The backdated sessions were closed by the service and stored with them.
    expect(exported[i]!.sessions.length, listenerId).toBeGreaterThan(0);
  });
});

describe("three experiments at once in one layer", () => {
  const resultsOf = (key: keyof typeof DRAFTS): ResultsAnswer => {
    const run = report.experiments.get(ids[key])!;
    // The daily peeks, then the end of the run.
    for (const { day, results } of run.peeks) {
      const primary = results.variants.map((v) => v.metrics.skipRate.vsControl).find(Boolean);
      console.log(
        `[simulate test] ${key} peek day ${day}: ${results.listeners} listeners, skip rate lift ` +
          (primary ? `${(100 * primary.lift).toFixed(1)}% p ${primary.p.toPrecision(2)}` : "n/a"),
      );
    }
    const results = run.results!;
    for (const line of resultLines(results)) console.log(`[simulate test] ${key}: ${line}`);
    // Each listener is in one experiment of the layer at most, and the split is as defined.
    expect(results.srm.flagged).toBe(false);
    for (const v of results.variants) expect(v.listeners, `${key} ${v.name}`).toBeGreaterThan(10);
    return results;
  };

  it("an A/A experiment finds no difference", () => {
    const results = resultsOf("aa");
    const [, b] = results.variants;
    // Not "no metric significant at 5%": over six listener metrics that fails a run in ten or more by chance
    // alone (CI's run on 2026-12-03 had session length at p 0.029, 21.4 against 30.3 minutes, at some 25
    // listeners a variant). Identical variants reach p < 0.001 on a metric about once in a thousand runs,
    // unless serving or assignment treats them differently, which is what this looks for.
    for (const metric of LISTENER_METRICS) expect(b!.metrics[metric].vsControl?.p ?? 1, metric).toBeGreaterThan(0.001);
    expect(results.verdict.decision).not.toBe("ship");
  });

  it("the published model's skip rate is significantly lower than popularity's, and its sessions longer", () => {
    const [model, popular] = resultsOf("popularity").variants;
    expect(popular!.metrics.skipRate.mean!).toBeGreaterThan(model!.metrics.skipRate.mean!);
    expect(popular!.metrics.skipRate.vsControl).toMatchObject({ significant: true, direction: "worse" });
    expect(popular!.primary).toBe("worse");
    // Session length is the noisier figure (an A/A's halves differed by 41% in one run): at some 75 listeners a
    // variant its lift was -20.8% (p 0.078), -23.9% and -38.5% (p 4e-10) in three runs, so only its sign is held.
    expect(popular!.metrics.sessionLength.vsControl!.lift).toBeLessThan(0);
  });

  it("a broken ranking is flagged by its skip-rate guardrail", () => {
    const results = resultsOf("broken");
    const broken = results.variants[1]!;
    expect(broken.guardrails.find((g) => g.metric === "skipRate")).toMatchObject({ measured: true, breached: true });
    expect(results.verdict.decision).toBe("keep-control");
  });
});
