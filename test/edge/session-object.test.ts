import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_SESSION_CONFIG, type ListeningEvent } from "../../shared/session";
import type { AcceptedEvent } from "../../workers/edge/session";
import { pseudonymOf, waitFor } from "./helpers";

const minute = 60_000;

async function sessionFor(rawId: string) {
  const listener = await pseudonymOf(rawId);
  return { listener, stub: env.SESSIONS.get(env.SESSIONS.idFromName(listener)) };
}

const listen = (id: string, trackId: string, type: ListeningEvent["type"], timestamp: number): ListeningEvent => ({
  id,
  trackId,
  artistId: "art-0001",
  type,
  timestamp,
  durationMs: 200_000,
  positionMs: type === "skip" ? 5_000 : undefined,
  device: "phone",
});

/** Events as the edge hands them to the object: folded into the session, and queued on to D1. */
const accepted = (listener: string, events: ListeningEvent[]): AcceptedEvent[] =>
  events.map((listening) => ({
    listening,
    queued: {
      kind: "event",
      listener,
      eventId: listening.id,
      trackId: listening.trackId,
      type: listening.type,
      target: null,
      clientTs: listening.timestamp,
      receivedAt: Date.now(),
      positionMs: listening.positionMs ?? null,
      msPlayed: null,
      device: listening.device ?? null,
      context: null,
      region: null,
    },
  }));

describe("the listener's session object", () => {
  it("survives eviction: state is rebuilt from its SQLite storage", async () => {
    const { listener, stub } = await sessionFor("session-evicted");
    const now = Date.now();
    await stub.record(
      listener,
      accepted(listener, [
        listen("a", "trk-1", "complete", now - 2 * minute),
        listen("b", "trk-2", "play", now - minute),
      ]),
    );
    const before = await stub.snapshot();

    await evictDurableObject(stub);
    const after = await stub.snapshot();
    expect(after).toEqual(before);
    expect(after.state.recent.map((e) => e.id)).toEqual(["a", "b"]);
    expect(after.state.nowPlaying).toMatchObject({ trackId: "trk-2", device: "phone" });

    // Ids seen before the eviction are still recognised.
    expect(
      (await stub.record(listener, accepted(listener, [listen("a", "trk-1", "complete", now - 2 * minute)]))).fresh,
    ).toBe(0);
  });

  it("closes an idle session by alarm and reports its summary, once", async () => {
    const { listener, stub } = await sessionFor("session-idle");
    const start = Date.now() - DEFAULT_SESSION_CONFIG.idleTimeoutMs - 10 * minute;
    await stub.record(
      listener,
      accepted(listener, [
        listen("p1", "trk-1", "play", start),
        listen("c1", "trk-1", "complete", start + 3 * minute),
        listen("p2", "trk-2", "play", start + 3 * minute),
        listen("s2", "trk-2", "skip", start + 4 * minute),
      ]),
    );
    // The alarm is due at once (the last activity is over 30 minutes old); running it again changes nothing.
    await runDurableObjectAlarm(stub);
    expect((await stub.snapshot()).state.open).toBe(false);
    await runDurableObjectAlarm(stub);

    const sessionsOf = async () =>
      (await env.DB.prepare("SELECT * FROM sessions WHERE listener_id = ? ORDER BY started_at").bind(listener).all())
        .results;
    const first = {
      listener_id: listener,
      started_at: start,
      ended_at: start + 4 * minute,
      length_ms: 4 * minute,
      tracks_played: 2,
      skips: 1,
      completions: 1,
      // Stamped by the consumer as it stores the summary.
      received_at: expect.any(Number),
    };

    // A second, later idle session closes through the same path (alarm, queue, consumer): once its
    // summary is in D1, anything the repeated alarm sent before it is there too.
    const later = start + 5 * minute;
    await stub.record(
      listener,
      accepted(listener, [listen("p3", "trk-3", "play", later), listen("c3", "trk-3", "complete", later + minute)]),
    );
    await runDurableObjectAlarm(stub);
    const summaries = await waitFor("the sentinel session's summary in D1", async () => {
      const rows = await sessionsOf();
      return rows.some((r) => r.started_at === later) && rows;
    });
    expect(summaries).toEqual([
      first,
      { ...first, started_at: later, ended_at: later + minute, length_ms: minute, tracks_played: 1, skips: 0 },
    ]);
  });
});
