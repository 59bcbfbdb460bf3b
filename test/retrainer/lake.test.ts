import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { QueuedEvent } from "../../shared/api/schemas";
import { eraseFromLake } from "../../shared/lake/objects";
import { parseLakeRecords } from "../../shared/lake/records";
import { r2EventSink } from "../../workers/retrainer/lake-sink";
import worker from "../../workers/retrainer/index";
import { admin } from "./operator";

const DAY = 86_400_000;
const T = Date.UTC(2026, 11, 1, 23, 59, 0);

const queued = (eventId: string, over: Partial<QueuedEvent> = {}): QueuedEvent => ({
  kind: "event",
  listener: "l_lake",
  eventId,
  trackId: "trk-00001",
  type: "complete",
  target: null,
  clientTs: T - 1000,
  receivedAt: T,
  positionMs: null,
  msPlayed: 200_000,
  device: "phone",
  context: null,
  region: "SE",
  ...over,
});

async function deliver(bodies: unknown[], ids = bodies.map((_, i) => `m${i}`)) {
  const batch = createMessageBatch(
    "setlist-events",
    bodies.map((body, i) => ({ id: ids[i]!, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

async function lake(): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for (const { key } of (await env.LAKE.list({ prefix: "events/" })).objects) {
    objects.set(key, (await (await env.LAKE.get(key))!.text()) ?? "");
  }
  return objects;
}

const indexRows = async (listener: string) =>
  (
    await env.DB.prepare("SELECT object_key FROM lake_objects WHERE listener_id = ? ORDER BY object_key")
      .bind(listener)
      .all<{ object_key: string }>()
  ).results.map((r) => r.object_key);

describe("event lake", () => {
  beforeEach(async () => {
    await env.DB.batch(
      ["events", "listeners", "erasures", "lake_objects"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)),
    );
    const keys = (await env.LAKE.list()).objects.map((o) => o.key);
    if (keys.length > 0) await env.LAKE.delete(keys);
  });

  it("a stored batch is one NDJSON object per day of arrival; a redelivery writes the same objects", async () => {
    const batch = [queued("a"), queued("b", { receivedAt: T + 2 * 60_000 }), queued("c", { listener: "l_other" })];
    expect((await deliver(batch)).explicitAcks).toHaveLength(3);
    const first = await lake();
    expect([...first.keys()].map((k) => k.split("/")[1])).toEqual(["day=2026-12-01", "day=2026-12-02"]);
    const records = parseLakeRecords(first.values());
    expect(records.map((r) => r.eventId).sort()).toEqual(["a", "b", "c"]);
    expect(records[0]).toMatchObject({ v: 1, listener: "l_lake", trackId: "trk-00001", type: "complete" });
    expect(await indexRows("l_lake")).toEqual([...first.keys()]);

    await deliver(batch);
    expect(await lake()).toEqual(first);
    // Redelivered among other messages: a new object, whose repeats a reader drops by event id.
    await deliver([...batch, queued("d", { receivedAt: T + DAY })], ["m0", "m1", "m2", "m9"]);
    const all = await lake();
    expect(all.size).toBe(4);
    expect(
      parseLakeRecords(all.values())
        .map((r) => r.eventId)
        .sort(),
    ).toEqual(["a", "b", "c", "d"]);
  });

  it("an erasure rewrites the listener out of the lake in bounded steps, continued by lake-erasure messages", async () => {
    for (let n = 0; n < 3; n++) {
      await deliver([queued(`e${n}`), queued(`k${n}`, { listener: "l_kept" })], [`b${n}-0`, `b${n}-1`]);
    }
    expect(await indexRows("l_lake")).toHaveLength(3);
    expect(await eraseFromLake(env.LAKE, env.DB, "l_lake", 2)).toEqual({ rewritten: 2, more: true });
    expect(await indexRows("l_lake")).toHaveLength(1);
    // The consumer's step finishes it.
    expect((await deliver([{ kind: "lake-erasure", listener: "l_lake" }])).explicitAcks).toEqual(["m0"]);
    const records = parseLakeRecords((await lake()).values());
    expect(records.map((r) => r.eventId).sort()).toEqual(["k0", "k1", "k2"]);
    expect(await indexRows("l_lake")).toEqual([]);
    expect(await indexRows("l_kept")).toHaveLength(3);
  });

  it("lines of a listener erased while their batch was written are taken out again, with their index rows", async () => {
    await env.DB.prepare("INSERT INTO erasures (listener_id, erased_at) VALUES ('l_lake', ?)").bind(T).run();
    // As if the consumer had read no tombstone before the erasure landed.
    await r2EventSink(env.LAKE, env.DB).append(
      [queued("before"), queued("after", { receivedAt: T + 1 }), queued("other", { listener: "l_other" })],
      "raced",
    );
    const records = parseLakeRecords((await lake()).values());
    expect(records.map((r) => r.eventId).sort()).toEqual(["after", "other"]);
    expect(await indexRows("l_lake")).toHaveLength(1);
  });

  it("the operator routes list and read the lake, and refuse what is not a lake object", async () => {
    await deliver([queued("a")]);
    const { objects, cursor } = await (await admin("/lake")).json<{ objects: { key: string }[]; cursor: null }>();
    expect(cursor).toBeNull();
    const res = await admin(`/lake/object?key=${encodeURIComponent(objects[0]!.key)}`);
    expect(parseLakeRecords([new TextDecoder().decode(await res.arrayBuffer())]).map((r) => r.eventId)).toEqual(["a"]);
    expect((await admin("/lake/object?key=../trained/x")).status).toBe(400);
    expect((await admin("/lake/object?key=events/day=2020-01-01/none.ndjson")).status).toBe(404);
  });

  // Last in the file: it breaks the index table.
  it("a batch whose lake write fails is retried, not acked, though D1 took it", async () => {
    await env.DB.exec("DROP TABLE lake_objects");
    const result = await deliver([queued("a")]);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
  });
});
