import { describe, expect, it } from "vitest";
import { asClient, asListener, edge, expectProblem } from "./helpers";

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
});
