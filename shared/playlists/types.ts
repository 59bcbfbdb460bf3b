import type { ContextLabel } from "../context/resolve";
import type { EventCounts } from "../model/evidence";
import type { ActivityPool } from "../ranking/context-retrieval";
import type { Candidate, Neighbours, Reason, TrackInfo } from "../ranking/types";
import type { SessionState } from "../session/state";
import type { PlaylistKind } from "./kinds";

/** One track the listener has ever played, with what they did with it (D1's events and rollups together). */
export interface HistoryEntry extends EventCounts {
  trackId: string;
  lastTs: number;
}

/**
 * Everything a generator may read about one listener at one moment. Generators are pure: the
 * same input gives the same list, so a list can be made again and compared in tests.
 */
export interface PlaylistInput {
  now: number;
  /** A per-listener, per-period number for whatever a generator draws at random. */
  seed: number;
  /** The published catalog snapshot: metadata for every track a list may hold. */
  tracks: ReadonlyMap<string, TrackInfo>;
  /** The model's candidates for the listener, best first (empty for a listener the model has not seen). */
  candidates: readonly Candidate[];
  /** The listener's whole history, one entry per track ever played. */
  history: readonly HistoryEntry[];
  /** The live session: recent plays, skips and dislikes not yet in D1. */
  session: SessionState;
  /** Artists the listener follows (artist ids). */
  following: ReadonlySet<string>;
  /** A track's published neighbours, best first. */
  neighbours: Neighbours;
  /** The catalog's tracks that suit an activity or a time of day, by genre. */
  activityPool: (label: ContextLabel) => ActivityPool;
  /** The regional (or global) chart, best first: what non-personal lists and cold starts fall back on. */
  chart: readonly string[];
  /** False without the listener's consent to personalise: history, candidates and session are then empty. */
  personalized: boolean;
  /** The tracks of the listener's list of this kind in the period before, when one was frozen (not to repeat it). */
  previousTracks?: readonly string[];
  /** The listener's local hour (0-23), for lists that follow the time of day. */
  localHour: number;
  /** The listener's local day of the week (0 Sunday to 6 Saturday), for lists named after the day. */
  localWeekday: number;
}

/** One track of a list, with why it is there. */
export interface PlaylistTrack {
  trackId: string;
  reason: Reason;
  /** Release Radar: the track is by a neighbour of a followed artist, not by the artist followed. */
  fallback?: boolean;
}

/** What a generator makes; the edge adds the period, the model version and the track metadata. */
export interface GeneratedPlaylist {
  kind: PlaylistKind;
  title: string;
  description: string;
  /** The artists the list grew from (followed or most played artists, a mix's lead artists). */
  seedArtists: { id: string; name: string }[];
  tracks: PlaylistTrack[];
}

/** A generator: null when the listener has no such list (a fourth daily mix for a listener of two tastes). */
export type PlaylistGenerator = (input: PlaylistInput) => GeneratedPlaylist | null;

/** A generated list as frozen for its period: what every request of the period answers. */
export interface FrozenPlaylist extends GeneratedPlaylist {
  periodKey: string;
  generatedAt: number;
  validUntil: number;
  modelVersion: string | null;
}
