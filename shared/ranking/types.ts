import type { Activity, AudioFeatures } from "../catalog/types";
import type { ContextInput } from "../context/resolve";
import type { SessionState } from "../session/state";
import type { ActivityPool } from "./context-retrieval";
import type { TrackVector } from "./similarity";

export interface TrackInfo {
  id: string;
  title: string;
  artistId: string;
  artistName: string;
  genre: string;
  releaseDate: string; // YYYY-MM-DD
  features: AudioFeatures;
  popularity: number; // 0..1, share of listeners relative to the most popular track
}

export type CandidateSource = "model" | "similar" | "context" | "chart" | "fallback";

export interface Candidate {
  trackId: string;
  score: number; // any scale; normalised per source
  because?: string; // history track that produced it
  source: CandidateSource;
}

/** The model's nearest neighbours of a track, score 0..1. */
export type Neighbours = (trackId: string) => readonly { trackId: string; score: number }[];

export type ReasonCode =
  | "because_you_played"
  | "similar_to_liked"
  | "fits_context"
  | "new_release"
  | "new_for_you"
  | "popular_in_region"
  | "for_you"
  /** A radio station's track, named by the seed track it sounds like. */
  | "similar_to_seed";

export interface Reason {
  code: ReasonCode;
  text: string;
}

export interface RankedItem {
  trackId: string;
  /** Log-scale relevance; the array order is the ranking, since exploration items are placed by slot. */
  score: number;
  reason: Reason;
  exploration: boolean;
}

export interface RankingInput {
  candidates: readonly Candidate[];
  /** Metadata for the candidates and for tracks in the session; candidates without it are dropped. */
  tracks: ReadonlyMap<string, TrackInfo>;
  session?: SessionState;
  context?: ContextInput;
  explorationPool?: readonly TrackInfo[];
  /** The catalog's tracks that suit an activity (see activityPool), searched when one is stated. */
  activityPool?: (activity: Activity) => ActivityPool;
  /** Everything the listener has heard, so exploration only offers new tracks. */
  heardTrackIds?: ReadonlySet<string>;
  neighbours?: Neighbours;
  region?: string; // display name for chart reasons
  now: number; // ms
  seed: number; // e.g. explorationSeed(listenerId, now)
  n: number; // 1..100
}

/**
 * One track as it moves through the stages. Every field is always present (undefined when
 * unknown): stages copy these objects for each of hundreds of candidates, which stays fast
 * only while they all share one shape.
 */
export interface ScoredCandidate {
  track: TrackInfo;
  vector: TrackVector;
  source: CandidateSource | "exploration";
  because: string | undefined;
  model: number; // normalised, 0..1 times the source weight
  taste: number; // -1..1 from the session
  /** The session track that raised this one most, when strong enough to explain it. */
  tasteAnchor: string | undefined;
  fit: number; // 0..1 context fit
  score: number;
}
