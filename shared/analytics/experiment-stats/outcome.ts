import { EXPERIMENT_METRICS, type ExperimentMetric } from "../../experiments/definition";
import { DAY_MS } from "../days";
import type { Unit } from "./ratio";

/** The metrics measured per listener (all but the per-answer latency). */
export type ListenerMetric = {
  [M in ExperimentMetric]: (typeof EXPERIMENT_METRICS)[M]["kind"] extends "latency" ? never : M;
}[ExperimentMetric];

/** What one listener did over a period (from exposure on, or the 14 days before it). */
export interface ListenerAggregates {
  starts: number;
  earlySkips: number;
  completions: number;
  listeningMs: number;
  sessions: number;
  sessionMs: number;
  likesAndSaves: number;
}

/** The covariate's period: what each listener did in the 14 days before their first exposure. */
export const PRE_EXPOSURE_MS = 14 * DAY_MS;

export const NO_ACTIVITY: ListenerAggregates = {
  starts: 0,
  earlySkips: 0,
  completions: 0,
  listeningMs: 0,
  sessions: 0,
  sessionMs: 0,
  likesAndSaves: 0,
};

export interface ListenerOutcome {
  variant: string;
  post: ListenerAggregates;
  /** The same over the pre-exposure period: CUPED's covariate. */
  pre: ListenerAggregates;
}

/** Each listener metric of EXPERIMENT_METRICS as a numerator over a denominator of a listener's aggregates. */
export const METRIC_UNITS: Record<ListenerMetric, (a: ListenerAggregates) => Unit> = {
  skipRate: (a) => ({ y: a.earlySkips, x: a.starts }),
  completionRate: (a) => ({ y: a.completions, x: a.starts }),
  sessionLength: (a) => ({ y: a.sessionMs, x: a.sessions }),
  listeningTime: (a) => ({ y: a.listeningMs, x: 1 }),
  plays: (a) => ({ y: a.starts, x: 1 }),
  likesPerSession: (a) => ({ y: a.likesAndSaves, x: a.sessions }),
};
export const LISTENER_METRICS = Object.keys(METRIC_UNITS) as ListenerMetric[];

export function isListenerMetric(metric: string): metric is ListenerMetric {
  return Object.hasOwn(METRIC_UNITS, metric);
}
