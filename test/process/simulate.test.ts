/**
 * The listener simulator against a started network (seeded with the demo): a small run's events
 * reach D1 with the recommendation ids of the answers they were played from, its backdated sessions
 * are closed and stored, and its listeners skip less of what they are recommended than of the charts.
 */
import { expect, it } from "vitest";
import { startLocalNetwork, type LocalNetwork } from "../../scripts/local-network";
import { runSimulation } from "../../scripts/simulation";
import { skipRate } from "../../shared/simulator";
import { asListener, call, testStorage } from "./client";

/** Beside `npm start` (8787), the benchmarks (8797, 8798) and the other process tests (8811, 8812, 8827). */
const PORT = 8834;
const SAMPLE = 6;

let network: LocalNetwork | undefined;
const persistTo = testStorage("simulate", () => network);

interface Exported {
  events: { eventId: string; context: string | { recommendationId?: string } | null }[];
  sessions: { startedAt: number }[];
}

it("a small simulation reaches D1 with its attribution ids, and recommendations beat the charts", async () => {
  network = await startLocalNetwork(PORT, { persistTo });
  const report = await runSimulation({ base: network.base, listeners: 40, days: 3, seed: 1, concurrency: 8 });
  const lines = report.days.map(
    (d) => `day ${d.day} (${d.when}): ${d.tally.sessions} sessions, ${d.tally.plays} plays`,
  );
  console.log(`[simulate test] ${lines.join("; ")}; ${report.requests} requests in ${report.wallMs} ms`);

  expect(report.days).toHaveLength(3);
  for (const day of report.days) expect(day.tally.plays).toBeGreaterThan(0);
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
}, 400_000);
