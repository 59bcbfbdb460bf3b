import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { trackRow } from "../../shared/db/rows";
import { tracks } from "../../shared/db/schema";
import { generateDemoCatalog } from "../../shared/demo";
import {
  asClient,
  asListener,
  asOperator,
  edge,
  expectProblem,
  json,
  jsonBody,
  pseudonymOf,
  storedEventIds,
  waitFor,
} from "./helpers";

const RAW_ID = "support-listener-3";
const catalog = generateDemoCatalog(3).tracks.slice(0, 5);
const support = (what: string, body: unknown, headers: Record<string, string> = asOperator) =>
  edge(`/admin/listeners/${what}`, jsonBody("POST", body, headers));

describe("support requests by an operator, for a listener named by raw id", () => {
  beforeAll(async () => {
    await env.DB.batch(bulkInsertStatements(env.DB, tracks, catalog.map(trackRow), "ignore"));
    const events = catalog.map((t, i) => ({ id: `support-${i}`, trackId: t.id, type: "complete", device: "phone" }));
    await json(await edge("/v1/events", jsonBody("POST", { events }, await asListener(RAW_ID))), 202);
    const pseudonym = await pseudonymOf(RAW_ID);
    await waitFor("the events in D1", async () => (await storedEventIds(pseudonym)).length === catalog.length);
  });

  it("answers what the listener's own routes answer, under the pseudonym the edge makes", async () => {
    expect(await json(await support("lookup", { listenerId: RAW_ID }))).toEqual({
      listenerId: RAW_ID,
      consent: { personalization: true, analytics: true },
    });
    expect(await json(await support("consent", { listenerId: RAW_ID, analytics: false }))).toEqual({
      personalization: true,
      analytics: false,
    });
    // The listener sees the operator's change, and the operator's export is the listener's own.
    const own = await asListener(RAW_ID);
    expect(await json(await edge("/v1/me/consent", { headers: own }))).toEqual({
      personalization: true,
      analytics: false,
    });
    const { exportedAt: _a, ...byOperator } = await json(await support("export", { listenerId: RAW_ID }));
    const { exportedAt: _b, ...byListener } = await json(await edge("/v1/me/export", { headers: own }));
    expect(byOperator).toEqual(byListener);
    expect(JSON.stringify(byOperator)).toContain("support-0");

    expect(await json(await support("erase", { listenerId: RAW_ID }))).toMatchObject({
      listenerId: RAW_ID,
      erased: true,
      removed: { events: catalog.length },
    });
    expect(await storedEventIds(await pseudonymOf(RAW_ID))).toEqual([]);
  });

  it("refuses a bad id or body with problem details naming the field, and other roles' keys", async () => {
    await expectProblem(await support("lookup", { listenerId: "a/b" }), 400, "listenerId");
    await expectProblem(await support("lookup", {}), 400, "listenerId");
    await expectProblem(await support("consent", { listenerId: RAW_ID, analytics: "no" }), 400, "analytics");
    await expectProblem(await support("export", { listenerId: RAW_ID, extra: 1 }), 400);
    await expectProblem(await support("erase", { listenerId: RAW_ID }, asClient), 403);
    await expectProblem(await support("erase", { listenerId: RAW_ID }, {}), 401);
  });
});
