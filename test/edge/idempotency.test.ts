import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { QueuedBatch, QueuedEvent } from "../../shared/api/schemas";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { trackRow } from "../../shared/db/rows";
import { tracks } from "../../shared/db/schema";
import { generateDemoCatalog } from "../../shared/demo";
import {
  asListener,
  asOperator,
  edge,
  json,
  jsonBody,
  objectStorage,
  pseudonymOf,
  sessionStub,
  waitFor,
} from "./helpers";

const catalog = generateDemoCatalog(7).tracks.slice(0, 5);

const event = (listenerId: string, id: string, trackId = catalog[0]!.id) => ({
  id,
  listenerId,
  trackId,
  type: "complete",
  device: "phone",
});

async function post(listenerId: string, events: ReturnType<typeof event>[]) {
  return json(await edge("/v1/events", jsonBody("POST", { events }, await asListener(listenerId))), 202);
}

async function storedIds(listenerId: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT event_id FROM events WHERE listener_id = ? ORDER BY event_id")
    .bind(await pseudonymOf(listenerId))
    .all<{ event_id: string }>();
  return rows.results.map((r) => r.event_id);
}

/**
 * Waits until a sentinel event posted after everything else is stored: the queue delivers in order
 * when nothing fails, so every copy sent before it has been consumed by then.
 */
async function settle(listenerId: string) {
  const sentinel = `sentinel-${crypto.randomUUID()}`;
  await post(listenerId, [event(listenerId, sentinel)]);
  await waitFor("the sentinel in D1", async () => (await storedIds(listenerId)).includes(sentinel));
  return (await storedIds(listenerId)).filter((id) => !id.startsWith("sentinel-"));
}

describe("nothing stored twice", () => {
  beforeAll(async () => {
    await env.DB.batch(bulkInsertStatements(env.DB, tracks, catalog.map(trackRow), "ignore"));
  });

  it("a retried POST /v1/events is stored once", async () => {
    const listener = "idem-retry";
    const events = [event(listener, "r-1"), event(listener, "r-2", catalog[1]!.id)];
    expect(await post(listener, events)).toEqual({ accepted: 2, duplicates: 0, notStored: 0 });
    // The session object stored them with their outbox rows in one transaction, so the retry is a duplicate.
    expect(await post(listener, events)).toEqual({ accepted: 0, duplicates: 2, notStored: 0 });
    expect(await settle(listener)).toEqual(["r-1", "r-2"]);
  });

  it("an event repeated within one request is stored once", async () => {
    const listener = "idem-repeat";
    expect(await post(listener, [event(listener, "d-1"), event(listener, "d-1")])).toEqual({
      accepted: 1,
      duplicates: 1,
      notStored: 0,
    });
    expect(await settle(listener)).toEqual(["d-1"]);
  });

  it("a duplicated queue message and a redelivered batch are stored once", async () => {
    const listener = "idem-queue";
    const message: QueuedEvent = {
      kind: "event",
      listener: await pseudonymOf(listener),
      eventId: "q-1",
      trackId: catalog[2]!.id,
      type: "play",
      target: null,
      clientTs: Date.now(),
      receivedAt: Date.now(),
      positionMs: null,
      msPlayed: null,
      device: null,
      context: null,
      region: null,
    };
    const batch = [message, message].map((body) => ({ body, contentType: "json" as const }));
    await env.EVENTS.sendBatch(batch);
    await env.EVENTS.sendBatch(batch);
    expect(await settle(listener)).toEqual(["q-1"]);
  });
});

describe("nothing lost", () => {
  it("an event whose writes fail on every attempt is dead-lettered, then replayed and stored once", async () => {
    const listener = "idem-doomed";
    const pseudonym = await pseudonymOf(listener);
    // The fault is in the database, not the worker: every write of this listener fails until it is dropped.
    await env.DB.prepare(
      `CREATE TRIGGER doomed BEFORE INSERT ON listeners WHEN NEW.id = '${pseudonym}'
       BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
    ).run();
    await post(listener, [event(listener, "x-1")]);

    // Six attempts with backoff (2 + 4 + 8 + 16 + 32 s), then the dead-letter queue.
    const dead = await waitFor(
      "the event in dead_letters",
      async () => {
        const view = await json<{ unreplayed: number; deadLetters: { reason: string; body: QueuedBatch }[] }>(
          await edge("/admin/dlq", { headers: asOperator }),
        );
        return view.unreplayed > 0 && view;
      },
      150_000,
    );
    // The session object's outbox resends what D1 does not hold until it finds a copy parked here, so
    // copies sent while the first was still being retried may follow it. It sends its rows in batch messages.
    expect(dead.deadLetters[0]).toMatchObject({
      reason: "retries exhausted",
      body: { kind: "batch", listener: pseudonym, messages: [{ listener: pseudonym, eventId: "x-1" }] },
    });
    // Once parked, the event leaves the outbox: it is the operator's to replay, not resent for ever.
    await waitFor(
      "the parked event to leave the outbox",
      async () => ((await objectStorage(sessionStub(pseudonym))).tables.outbox ?? []).length === 0,
      120_000,
    );
    expect(await storedIds(listener)).toEqual([]);

    await env.DB.prepare("DROP TRIGGER doomed").run();
    const replay = () => edge("/admin/dlq/replay", { method: "POST", headers: asOperator });
    const first = await json<{ replayed: number; remaining: number }>(await replay());
    expect(first.replayed).toBeGreaterThanOrEqual(1);
    expect(first.remaining).toBe(0);
    // Calling it again sends nothing twice.
    expect(await json(await replay())).toEqual({ replayed: 0, remaining: 0 });
    expect(await settle(listener)).toEqual(["x-1"]);
  }, 300_000);
});
