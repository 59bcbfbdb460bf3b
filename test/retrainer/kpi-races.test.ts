import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { eraseListenerData, storeConsent } from "../../workers/edge/privacy";
import { at, day1, day2, DAY1, deliver, event, metrics, resetKpis } from "./kpi-fixtures";

/**
 * The D1 the consumer is given, which runs `between` (its own transactions) just before the
 * consumer's n-th batch: an erasure or a consent change landing between what the consumer read and
 * what it writes. Answers how many batches the consumer sent, so a test can try every such point.
 */
function interleaved(n: number, between: () => Promise<unknown>) {
  let batches = 0;
  const db = new Proxy(env.DB, {
    get(target, property) {
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          if (++batches === n) await between();
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, batches: () => batches };
}

// A's further plays of day 1 and day 2, delivered while A is erased or withdraws consent.
const more = [
  event("l_a", "a8", { clientTs: at(DAY1, 20), trackId: "t3" }),
  event("l_a", "a9", { clientTs: at(DAY1, 20, 4), trackId: "t3", type: "complete", msPlayed: 200_000 }),
  ...day2,
];

const BY_DAY = "from=2026-11-02&to=2026-11-03&by=day";
const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n;

describe("KPI writes racing an erasure or a consent withdrawal", () => {
  beforeEach(resetKpis);

  for (const [what, change] of [
    ["an erasure", () => eraseListenerData(env.DB, "l_a")],
    [
      "a withdrawal of analytics consent",
      () => storeConsent(env.DB, "l_a", { personalization: true, analytics: false }),
    ],
  ] as const) {
    it(`${what} committed at any point of a consumer's work is never written back`, async () => {
      for (let n = 1; ; n++) {
        await resetKpis();
        await deliver(day1);
        const { db, batches } = interleaved(n, change);
        await deliver(more, 1, db);
        // Every point was tried once the consumer sends fewer batches than the one the change waits for.
        if (batches() < n) break;
        const where = `after ${what} before the consumer's batch ${n}`;
        expect(await count("SELECT count(*) AS n FROM kpi_listener_days WHERE listener_id = 'l_a'"), where).toBe(0);
        // Only B is counted: one start on the radio on day 1, on a speaker.
        expect(await metrics(`${BY_DAY}&metric=plays,listeningMs,dau`), where).toEqual([
          { day: "2026-11-02", plays: 1, listeningMs: 120_000, dau: 1 },
        ]);
        if (what === "an erasure") {
          expect(await count("SELECT count(*) AS n FROM events WHERE listener_id = 'l_a'"), where).toBe(0);
        }
      }
    });
  }

  it("overlapping batches, one landing while the other is in flight, count each event and session once", async () => {
    await deliver([...day1, ...more]);
    const expected = await metrics(BY_DAY);
    const lists = async () => count("SELECT count(*) AS n FROM kpi_listener_days");
    const active = await lists();
    const first = [...day1, ...more.slice(0, 2)];
    const second = [...day1.slice(3), ...more];
    for (let n = 1; ; n++) {
      await resetKpis();
      const { db, batches } = interleaved(n, () => deliver(second));
      await deliver(first, 1, db);
      if (batches() < n) break;
      expect(await metrics(BY_DAY), `the second batch landing before the first's batch ${n}`).toEqual(expected);
      expect(await lists()).toBe(active);
    }
    // And both at once, as two consumer invocations would run.
    await resetKpis();
    await Promise.all([deliver(first), deliver(second), deliver(first, 2)]);
    expect(await metrics(BY_DAY)).toEqual(expected);
  });
});
