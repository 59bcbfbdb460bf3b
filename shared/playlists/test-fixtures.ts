// Test-only: a generator input over generated tracks, for the playlist tests.
import { NO_EVENTS } from "../model/evidence";
import { activityPool } from "../ranking/context-retrieval";
import type { TrackInfo } from "../ranking/types";
import { createSession } from "../session/state";
import type { HistoryEntry, PlaylistInput } from "./types";

export function historyEntry(trackId: string, counts: Partial<Omit<HistoryEntry, "trackId">> = {}): HistoryEntry {
  return { trackId, lastTs: 0, ...NO_EVENTS, plays: 1, ...counts };
}

export function playlistInput(tracks: readonly TrackInfo[], overrides: Partial<PlaylistInput> = {}): PlaylistInput {
  const byId = new Map(tracks.map((t) => [t.id, t]));
  return {
    now: Date.UTC(2026, 11, 2, 12),
    seed: 1,
    tracks: byId,
    candidates: [],
    history: [],
    session: createSession(),
    following: new Set(),
    neighbours: () => [],
    activityPool: (activity) => activityPool(byId.values(), activity),
    chart: [],
    personalized: true,
    localHour: 12,
    localWeekday: 2,
    ...overrides,
  };
}
