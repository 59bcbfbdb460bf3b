import { describe, expect, it } from "vitest";
import { recommendationId } from "../../shared/analytics/attribution";
import { asClient, asListener, edge, expectProblem, json } from "./helpers";

const now = Date.now();
const event = (over: Record<string, unknown> = {}) => ({
  id: "ev-1",
  listenerId: "demo-1",
  trackId: "trk-00001",
  type: "play",
  timestamp: now,
  ...over,
});

async function post(body: string | object) {
  return edge("/v1/events", {
    method: "POST",
    headers: { ...(await asListener("demo-1")), "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("POST /v1/events rejects bad input with problem details", () => {
  it("malformed JSON", async () => {
    await expectProblem(await post("{not json"), 400);
  });
  it("unknown event type names the field", async () => {
    await expectProblem(
      await post({ events: [event(), event({ id: "ev-2", type: "teleport" })] }),
      400,
      "events.1.type",
    );
  });
  it("an over-long batch", async () => {
    const events = Array.from({ length: 101 }, (_, i) => event({ id: `ev-${i}` }));
    await expectProblem(await post({ events }), 400, "events");
  });
  it("an oversized body", async () => {
    const res = await post({ events: [event({ context: { playlistId: "x".repeat(70_000) } })] });
    await expectProblem(res, 413);
  });
  it("bad ids", async () => {
    await expectProblem(await post({ events: [event({ listenerId: "demo 1" })] }), 400, "events.0.listenerId");
    await expectProblem(await post({ events: [event({ trackId: "" })] }), 400, "events.0.trackId");
  });
  it("unknown fields and timestamps far from now", async () => {
    await expectProblem(await post({ events: [event({ colour: "red" })] }), 400, "events.0");
    await expectProblem(await post({ events: [event({ timestamp: now + 86_400_000 })] }), 400, "events.0.timestamp");
  });
  it("a recommendation id this service did not make", async () => {
    const served = recommendationId({ surface: "radio", modelVersion: "v1", variant: null, servedAt: now });
    for (const forged of ["r1.nowhere.v1.-.abc.1234", "r2.radio.v1.-.abc.1234", served.replace("r1.", "r1.x"), "x"]) {
      const context = { playlistId: "discover-weekly", recommendationId: forged };
      await expectProblem(await post({ events: [event({ context })] }), 400, "events.0.context.recommendationId");
    }
    // The same event with an id this service made gets past validation: this test's empty catalog
    // then refuses its track, and only that.
    const res = await post({ events: [event({ context: { recommendationId: served } })] });
    expect((await expectProblem(res, 422, "events.0.trackId")).errors).toHaveLength(1);
  });
  it("an empty batch and a missing body field", async () => {
    await expectProblem(await post({ events: [] }), 400, "events");
    await expectProblem(await post({}), 400, "events");
  });
});

describe("other routes", () => {
  it("unknown routes are problem details too", async () => {
    await expectProblem(await edge("/v1/nothing"), 404);
  });
  it("a bad track id in the path", async () => {
    await expectProblem(await edge("/v1/tracks/bad%20id", { headers: asClient }), 400, "id");
  });
  it("a bad limit", async () => {
    await expectProblem(await edge("/v1/charts/top?limit=0", { headers: asClient }), 400, "limit");
    await expectProblem(await edge("/v1/charts/top?region=USA", { headers: asClient }), 400, "region");
  });
  it("a limit in any form but plain decimal digits", async () => {
    // Number() would read each of these as a number; a query limit is written in decimal digits only.
    for (const limit of ["0x10", "1e1", "+5", "%205", "5%20", "5.0", "16.5", "0b11", "", "-1"]) {
      await expectProblem(await edge(`/v1/charts/top?limit=${limit}`, { headers: asClient }), 400, "limit");
    }
    await json(await edge("/v1/charts/top?limit=16", { headers: asClient }));
    await json(await edge("/v1/charts/top?limit=016", { headers: asClient }));
  });
});

describe("the moment a client states is validated, not ignored", () => {
  const routes = ["/v1/me/recommendations", "/v1/speaker/next"];
  const headersFor = (path: string) => asListener("demo-1", path.startsWith("/v1/speaker") ? "speaker" : "client");

  it("localTime must be a real date-time with an offset", async () => {
    for (const path of routes) {
      for (const localTime of ["2026-13-40T99:99:99Z", "2026-02-30T10:00:00Z", "2026-11-24T24:00:00Z", "tomorrow"]) {
        const res = await edge(`${path}?localTime=${encodeURIComponent(localTime)}`, {
          headers: await headersFor(path),
        });
        await expectProblem(res, 400, "localTime");
      }
    }
  });

  it("timeZone must be a zone the runtime knows", async () => {
    for (const path of routes) {
      for (const timeZone of ["Mars/Olympus", "Europe/Atlantis", "Not_A_Zone"]) {
        const res = await edge(`${path}?timeZone=${encodeURIComponent(timeZone)}`, { headers: await headersFor(path) });
        await expectProblem(res, 400, "timeZone");
      }
    }
  });

  it("a valid moment is taken", async () => {
    const query = `localTime=${encodeURIComponent("2026-11-24T23:30:00+01:00")}&timeZone=Europe/Stockholm`;
    await json(await edge(`/v1/me/recommendations?${query}`, { headers: await headersFor("/v1/me") }));
  });
});
