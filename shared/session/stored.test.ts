import { describe, expect, it } from "vitest";
import { applyEvent, createSession } from "./state";
import { readStoredSession, SESSION_SCHEMA_VERSION } from "./stored";

const state = applyEvent(
  createSession(),
  { id: "e1", trackId: "t1", artistId: "a1", type: "play", timestamp: 1_000 },
  1_000,
);

describe("stored session state", () => {
  it("is read as is at the current version and migrated from the unversioned layout", () => {
    for (const version of [SESSION_SCHEMA_VERSION, 0]) {
      expect(readStoredSession(version, JSON.stringify(state))).toEqual({ state, reset: false });
    }
  });

  it("is reset when its version is unknown: newer than this code, or not a version at all", () => {
    for (const version of [SESSION_SCHEMA_VERSION + 1, -1, 0.5]) {
      expect(readStoredSession(version, JSON.stringify(state))).toEqual({ state: createSession(), reset: true });
    }
  });
});
