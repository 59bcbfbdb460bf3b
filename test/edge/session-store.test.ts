import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { queuedEvent } from "../queued-event";
import type { QueuedEvent } from "../../shared/api/schemas";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { trackRow } from "../../shared/db/rows";
import { tracks } from "../../shared/db/schema";
import { generateDemoCatalog } from "../../shared/demo";
import { SESSION_SCHEMA_VERSION } from "../../shared/session/stored";
import { asListener, edge, json, jsonBody, pseudonymOf, waitFor } from "./helpers";

const catalog = generateDemoCatalog(11).tracks.slice(0, 5);

async function post(listenerId: string, events: Record<string, unknown>[]) {
  const body = { events: events.map((e) => ({ listenerId, device: "phone", ...e })) };
  return json(await edge("/v1/events", jsonBody("POST", body, await asListener(listenerId))), 202);
}

async function objectOf(rawId: string) {
  const listener = await pseudonymOf(rawId);
  return { listener, stub: env.SESSIONS.get(env.SESSIONS.idFromName(listener)) };
}

const outboxOf = (stub: DurableObjectStub) =>
  runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ key: string; attempts: number }>("SELECT key, attempts FROM outbox ORDER BY key")
      .toArray(),
  );

async function storedIds(listener: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT event_id FROM events WHERE listener_id = ? ORDER BY event_id")
    .bind(listener)
    .all<{ event_id: string }>();
  return rows.results.map((r) => r.event_id);
}

/** A queue message as the edge builds it, for an outbox row written by hand. */
const queued = (listener: string, eventId: string, receivedAt = Date.now()) =>
  queuedEvent(eventId, { listener, trackId: catalog[0]!.id, clientTs: receivedAt, receivedAt });

/** An outbox row of a message sent once before and due for its check now, as a kill leaves one whose copy the queue lost. */
function sentAndLost(stub: DurableObjectStub, message: QueuedEvent) {
  return runInDurableObject(stub, async (_instance, state) => {
    state.storage.sql.exec(
      "INSERT INTO outbox (key, kind, body, attempts, due_at) VALUES (?, 'event', ?, 1, ?)",
      `event:${message.eventId}`,
      JSON.stringify(message),
      Date.now() - 1,
    );
    await state.storage.setAlarm(Date.now());
  });
}

describe("an accepted event is durable", () => {
  beforeAll(async () => {
    await env.DB.batch(bulkInsertStatements(env.DB, tracks, catalog.map(trackRow), "ignore"));
  });

  it("is in the session object's outbox when the answer is 202, and leaves it once D1 holds it", async () => {
    const { listener, stub } = await objectOf("durable-outbox");
    await post("durable-outbox", [
      { id: "o-1", trackId: catalog[0]!.id, type: "play" },
      { id: "o-2", trackId: catalog[1]!.id, type: "complete" },
    ]);
    // A row is first checked against D1 seconds after its send, so both are still there at the answer.
    expect((await outboxOf(stub)).map((r) => r.key)).toEqual(["event:o-1", "event:o-2"]);
    await waitFor("both events in D1", async () => (await storedIds(listener)).length === 2);
    await waitFor("the outbox cleared", async () => (await outboxOf(stub)).length === 0, 60_000);
    expect(await storedIds(listener)).toEqual(["o-1", "o-2"]);
  });

  it("is sent again when the queue lost the copy sent before, and stored once", async () => {
    const { listener, stub } = await objectOf("durable-lost");
    // Accepted a minute ago: the consumer has stored later events since, so its copy is lost, not queued.
    await sentAndLost(stub, queued(listener, "lost-1", Date.now() - 60_000));
    await waitFor("the lost event in D1", async () => (await storedIds(listener)).includes("lost-1"));
    expect(await outboxOf(stub)).toEqual([{ key: "event:lost-1", attempts: 2 }]);
    // The listener's export covers the outbox too.
    const exported = await json<{ pendingDelivery: { eventId: string }[] }>(
      await edge("/v1/me/export", { headers: await asListener("durable-lost") }),
    );
    expect(exported.pendingDelivery).toMatchObject([{ kind: "event", eventId: "lost-1" }]);
    await waitFor("the outbox cleared", async () => (await outboxOf(stub)).length === 0, 60_000);
    expect(await storedIds(listener)).toEqual(["lost-1"]);
  });

  it("an erased listener's undelivered events are let go, not resent for ever", async () => {
    const { listener, stub } = await objectOf("durable-erased");
    const erasedAt = Date.now();
    await env.DB.prepare("INSERT INTO erasures (listener_id, erased_at) VALUES (?, ?)").bind(listener, erasedAt).run();
    await sentAndLost(stub, queued(listener, "before-erasure", erasedAt - 1000));
    await waitFor("the outbox cleared", async () => (await outboxOf(stub)).length === 0, 60_000);
    expect(await storedIds(listener)).toEqual([]);
  });
});

describe("the session object's stored state", () => {
  const play = { id: "v-1", trackId: catalog[0]!.id, type: "play" };

  it("carries its schema version; state from before versions were stored is kept", async () => {
    const { stub } = await objectOf("schema-legacy");
    await post("schema-legacy", [play]);
    const before = await json(await edge("/v1/me/now-playing", { headers: await asListener("schema-legacy") }));
    const stored = await runInDurableObject(stub, (_instance, state) => {
      const row = state.storage.sql.exec<{ schema_version: number }>("SELECT schema_version FROM session").one();
      // The layout of objects from before the version was recorded: the same table without the column.
      state.storage.sql.exec(
        "CREATE TABLE legacy AS SELECT id, listener, state, consent FROM session; DROP TABLE session; ALTER TABLE legacy RENAME TO session",
      );
      return row.schema_version;
    });
    expect(stored).toBe(SESSION_SCHEMA_VERSION);
    await evictDurableObject(stub);
    const after = await json(await edge("/v1/me/now-playing", { headers: await asListener("schema-legacy") }));
    expect(after).toMatchObject({ nowPlaying: { track: { id: catalog[0]!.id } } });
    expect(after).toEqual({
      ...before,
      nowPlaying: { ...(before.nowPlaying as object), positionMs: expect.any(Number) },
    });
  });

  it("of an unknown version is reset, and the listener's consent is kept", async () => {
    const { stub } = await objectOf("schema-unknown");
    const headers = await asListener("schema-unknown");
    await post("schema-unknown", [play]);
    await json(await edge("/v1/me/consent", jsonBody("PUT", { personalization: true, analytics: false }, headers)));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE session SET schema_version = ?", SESSION_SCHEMA_VERSION + 1);
    });
    await evictDurableObject(stub);
    expect(await json(await edge("/v1/me/now-playing", { headers }))).toMatchObject({
      nowPlaying: null,
    });
    expect(await json(await edge("/v1/me/consent", { headers }))).toMatchObject({
      analytics: false,
    });
  });
});

describe("now playing", () => {
  it("shows no track once the playing one is skipped", async () => {
    const headers = await asListener("now-playing-skip");
    const nowPlaying = async () =>
      (await json<{ nowPlaying: { track: { id: string } } | null }>(await edge("/v1/me/now-playing", { headers })))
        .nowPlaying;
    const now = Date.now();
    await post("now-playing-skip", [{ id: "np-1", trackId: catalog[2]!.id, type: "play", timestamp: now - 10_000 }]);
    expect(await nowPlaying()).toMatchObject({ track: { id: catalog[2]!.id } });
    await post("now-playing-skip", [
      { id: "np-2", trackId: catalog[2]!.id, type: "skip", positionMs: 9_000, timestamp: now },
    ]);
    expect(await nowPlaying()).toBeNull();
  });
});
