import { describe, expect, it } from "vitest";
import type { ListeningEvent } from "./events";
import { readTaste } from "./read";
import { applyEvent, closeIfIdle, createSession, DEFAULT_SESSION_CONFIG, type SessionState } from "./state";

const MIN = 60_000;
const T0 = Date.UTC(2025, 5, 1, 9, 0);

let counter = 0;
function event(
  type: ListeningEvent["type"],
  trackId: string,
  minute: number,
  extra: Partial<ListeningEvent> = {},
): ListeningEvent {
  return {
    id: `e${++counter}`,
    trackId,
    artistId: `artist-of-${trackId}`,
    type,
    timestamp: T0 + minute * MIN,
    ...extra,
  };
}
function replay(events: ListeningEvent[], state: SessionState = createSession()): SessionState {
  return events.reduce((s, e) => applyEvent(s, e, e.timestamp), state);
}

describe("applyEvent", () => {
  it("opens a session on the first event and counts listens, skips and completions", () => {
    const state = replay([
      event("play", "a", 0),
      event("complete", "a", 3),
      event("play", "b", 3),
      event("skip", "b", 4, { positionMs: 10_000 }),
      event("complete", "c", 8), // no play seen: still a listen
      event("like", "c", 8),
    ]);
    expect(state.open).toBe(true);
    expect(state.startedAt).toBe(T0);
    expect(state.lastActivityAt).toBe(T0 + 8 * MIN);
    expect([state.tracksPlayed, state.skips, state.completions]).toEqual([3, 1, 2]);
    expect(state.played).toEqual(["a", "b", "c"]);
  });

  it("ignores a retried delivery of the same event id", () => {
    const e = event("complete", "a", 0);
    const once = replay([e]);
    expect(applyEvent(once, e, e.timestamp)).toBe(once);
  });

  it("keeps the recent list bounded", () => {
    const state = replay(Array.from({ length: 80 }, (_, i) => event("play", `t${i}`, i * 0.1)));
    expect(state.recent).toHaveLength(DEFAULT_SESSION_CONFIG.recentLimit);
    expect(state.recent.at(-1)?.trackId).toBe("t79");
  });

  it("keeps taste bounded, forgetting the weakest weights", () => {
    const config = { ...DEFAULT_SESSION_CONFIG, tasteLimit: 3 };
    const events = [event("like", "strong", 0), ...["a", "b", "c", "d"].map((t) => event("complete", t, 1))];
    const state = events.reduce((s, e) => applyEvent(s, e, e.timestamp, config), createSession());
    expect(Object.keys(state.taste.tracks)).toHaveLength(3);
    expect(state.taste.tracks.strong).toBeDefined();
  });

  it("records early skips as negative, late skips as mildly negative and completions as positive", () => {
    const state = replay([
      event("skip", "early", 0, { positionMs: 5_000, durationMs: 200_000 }),
      event("skip", "late", 0, { positionMs: 180_000, durationMs: 200_000 }),
      event("repeat", "loved", 0),
    ]);
    const taste = readTaste(state, T0);
    expect(taste.tracks.get("early")).toBeLessThan(taste.tracks.get("late")!);
    expect(taste.tracks.get("late")).toBeLessThan(0);
    expect(taste.tracks.get("loved")).toBeGreaterThan(0);
    expect(taste.artists.get("artist-of-early")).toBeLessThan(0);
  });

  it("decays taste with the half-life", () => {
    const state = replay([event("complete", "a", 0)]);
    const fresh = readTaste(state, T0).tracks.get("a")!;
    expect(readTaste(state, T0 + 30 * MIN).tracks.get("a")).toBeCloseTo(fresh / 2);
    expect(readTaste(state, T0 + 60 * MIN, 60 * MIN).tracks.get("a")).toBeCloseTo(fresh / 2);
  });

  it("keeps track and artist dislikes, lowers the artist of a disliked track, and un-dislikes on a like", () => {
    let state = replay([event("dislike", "a", 0), event("dislike", "b", 1, { target: "artist", artistId: "x" })]);
    expect(state.dislikes).toEqual({ tracks: ["a"], artists: ["x"] });
    expect(readTaste(state, T0).artists.get("artist-of-a")).toBeLessThan(0);
    state = replay([event("like", "a", 2)], state);
    expect(state.dislikes.tracks).toEqual([]);
  });

  it("tracks devices and now playing from the latest playback event", () => {
    const state = replay([
      event("play", "a", 0, { device: "phone", positionMs: 0 }),
      event("play", "b", 2, { device: "speaker", positionMs: 1_000 }),
      event("like", "z", 3, { device: "phone" }), // liking from a list does not change what plays
    ]);
    expect(state.devices).toEqual({ phone: T0 + 3 * MIN, speaker: T0 + 2 * MIN });
    expect(state.nowPlaying).toEqual({ trackId: "b", positionMs: 1_000, device: "speaker", updatedAt: T0 + 2 * MIN });
    // a late-arriving older event does not replace now playing
    const late = applyEvent(state, event("skip", "a", 1, { device: "phone" }), T0 + 4 * MIN);
    expect(late.nowPlaying?.trackId).toBe("b");
  });

  it("stops showing a track once it is skipped or disliked while playing", () => {
    const playing = replay([event("play", "a", 0, { device: "phone" }), event("play", "b", 2, { device: "phone" })]);
    expect(replay([event("skip", "b", 3, { positionMs: 5_000 })], playing).nowPlaying).toBeNull();
    expect(replay([event("dislike", "b", 3)], playing).nowPlaying).toBeNull();
    // Disliking another track, or the playing track's artist, leaves what plays alone; a next play reports it.
    expect(replay([event("dislike", "z", 3)], playing).nowPlaying?.trackId).toBe("b");
    expect(replay([event("dislike", "b", 3, { target: "artist" })], playing).nowPlaying?.trackId).toBe("b");
    expect(replay([event("skip", "b", 3), event("play", "c", 3)], playing).nowPlaying?.trackId).toBe("c");
  });

  it("does not trust event times after the arrival time", () => {
    const state = applyEvent(createSession(), event("play", "a", 10), T0);
    expect(state.lastActivityAt).toBe(T0);
  });

  it("remembers the latest activity for the session", () => {
    const state = replay([event("play", "a", 0, { context: { activity: "workout" } }), event("play", "b", 1)]);
    expect(state.activity).toEqual({ activity: "workout", at: T0 });
    expect(state.recent[0]).not.toHaveProperty("context");
  });

  it("round-trips through JSON unchanged", () => {
    const state = replay([
      event("play", "a", 0, { device: "car", context: { activity: "commute" } }),
      event("skip", "a", 0.2, { positionMs: 12_000 }),
      event("dislike", "b", 1),
    ]);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});

describe("closeIfIdle", () => {
  const session = replay([
    event("play", "a", 0),
    event("complete", "a", 4),
    event("skip", "b", 6, { positionMs: 2_000 }),
  ]);

  it("stays open before 30 idle minutes", () => {
    const result = closeIfIdle(session, T0 + 35 * MIN);
    expect(result.summary).toBeNull();
    expect(result.state).toBe(session);
  });

  it("closes after 30 idle minutes with a summary ending at the last activity", () => {
    const { state, summary } = closeIfIdle(session, T0 + 36 * MIN);
    expect(state.open).toBe(false);
    expect(summary).toEqual({
      startedAt: T0,
      endedAt: T0 + 6 * MIN,
      lengthMs: 6 * MIN,
      tracksPlayed: 2,
      skips: 1,
      completions: 1,
    });
    expect(closeIfIdle(state, T0 + 90 * MIN).summary).toBeNull();
  });

  it("lets the next event start a fresh session that keeps dislikes and decayed taste", () => {
    const withDislike = replay([event("dislike", "c", 7)], session);
    const closed = closeIfIdle(withDislike, T0 + 60 * MIN).state;
    const next = replay([event("play", "d", 60)], closed);
    expect(next.open).toBe(true);
    expect(next.startedAt).toBe(T0 + 60 * MIN);
    expect([next.tracksPlayed, next.skips, next.completions]).toEqual([1, 0, 0]);
    expect(next.played).toEqual(["d"]);
    expect(next.dislikes.tracks).toEqual(["c"]);
    expect(next.taste.tracks.a).toBeDefined();
  });
});
