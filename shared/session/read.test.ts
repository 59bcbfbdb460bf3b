import { describe, expect, it } from "vitest";
import { currentActivity, playedThisSession, recentlyLiked } from "./read";
import { applyEvent, createSession } from "./state";

const T0 = Date.UTC(2025, 5, 1, 9, 0);
const MIN = 60_000;

describe("playedThisSession", () => {
  const state = applyEvent(createSession(), { id: "1", trackId: "a", type: "play", timestamp: T0 }, T0);

  it("lists tracks of the open session", () => {
    expect([...playedThisSession(state, T0 + MIN)]).toEqual(["a"]);
  });

  it("is empty once the session has gone idle", () => {
    expect(playedThisSession(state, T0 + 31 * MIN).size).toBe(0);
  });
});

describe("recentlyLiked", () => {
  it("lists liked tracks unless disliked afterwards", () => {
    let state = applyEvent(createSession(), { id: "1", trackId: "a", type: "like", timestamp: T0 }, T0);
    state = applyEvent(state, { id: "2", trackId: "b", type: "like", timestamp: T0 }, T0);
    state = applyEvent(state, { id: "3", trackId: "b", type: "dislike", timestamp: T0 }, T0);
    expect([...recentlyLiked(state)]).toEqual(["a"]);
  });
});

describe("currentActivity", () => {
  it("is the session's latest activity until the session goes idle", () => {
    const state = applyEvent(
      createSession(),
      { id: "1", trackId: "a", type: "play", timestamp: T0, context: { activity: "focus" } },
      T0,
    );
    expect(currentActivity(state, T0 + MIN)).toBe("focus");
    expect(currentActivity(state, T0 + 31 * MIN)).toBeUndefined();
  });
});
