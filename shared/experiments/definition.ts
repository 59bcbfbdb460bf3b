import { z } from "zod";
import { SURFACES } from "../analytics/attribution";

/**
 * What an experiment measures, per listener from their first exposure on: ratio metrics are a
 * numerator and a denominator per listener (analysed with the delta method), the rest a mean per
 * listener. `p99Latency` is a guardrail only: it is measured per served answer, not per listener.
 */
export const EXPERIMENT_METRICS = {
  skipRate: { kind: "ratio", better: "lower", of: "early skips (before 30 s) over starts" },
  completionRate: { kind: "ratio", better: "higher", of: "completions over starts" },
  sessionLength: { kind: "ratio", better: "higher", of: "listening session milliseconds over sessions" },
  listeningTime: { kind: "mean", better: "higher", of: "milliseconds played per listener" },
  plays: { kind: "mean", better: "higher", of: "starts per listener" },
  likesPerSession: { kind: "ratio", better: "higher", of: "likes and saves over sessions" },
  p99Latency: { kind: "latency", better: "lower", of: "99th percentile of the answer's serving time, ms" },
} as const;
export type ExperimentMetric = keyof typeof EXPERIMENT_METRICS;
const METRIC_NAMES = Object.keys(EXPERIMENT_METRICS) as [ExperimentMetric, ...ExperimentMetric[]];
export const ExperimentMetricName = z.enum(METRIC_NAMES);
const ListenerMetricName = z.enum(
  METRIC_NAMES.filter((m) => EXPERIMENT_METRICS[m].kind !== "latency") as [ExperimentMetric, ...ExperimentMetric[]],
);

/**
 * The ranking knobs a variant may turn (see shared/ranking/config.ts for what each does), and which
 * candidate sources feed the ranking: `["chart"]` alone is a popularity-only variant.
 */
export const RankingOverrides = z.strictObject({
  explorationShare: z.number().min(0).max(0.5).optional(),
  diversityLambda: z.number().min(0).max(1).optional(),
  popularityPenalty: z.number().min(0).max(2).optional(),
  contextWeight: z.number().min(0).max(5).optional(),
  sessionWeight: z.number().min(0).max(5).optional(),
  maxPerArtist: z.number().int().min(1).max(10).optional(),
  newReleaseBoost: z.number().min(0).max(10).optional(),
  candidateSources: z
    .array(z.enum(["model", "similar", "chart"]))
    .min(1)
    .refine((s) => new Set(s).size === s.length, "must not name a source twice")
    .optional(),
});
export type RankingOverrides = z.infer<typeof RankingOverrides>;

const Name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "lower-case letters, digits and dashes, at most 32");

export const Variant = z.strictObject({
  name: Name,
  /** Share of the experiment's traffic, 0..1; the shares of all variants sum to 1. */
  share: z.number().gt(0).lt(1),
  /** Serve this published model version instead of the live one. */
  modelVersion: z.string().min(1).max(64).optional(),
  overrides: RankingOverrides.optional(),
});
export type Variant = z.infer<typeof Variant>;

export const Guardrail = z.strictObject({
  metric: ExperimentMetricName,
  /** The variant is flagged when it is surely worse than control by more than this relative change (0.05 = 5%). */
  tolerance: z.number().min(0).max(1).default(0),
});

export const Targeting = z.strictObject({
  regions: z
    .array(z.string().regex(/^[A-Z]{2}$/))
    .min(1)
    .optional(),
  devices: z.array(z.string().min(1).max(32)).min(1).optional(),
  /** `new`: listeners first seen after the experiment started; `existing`: the others. */
  listeners: z.enum(["all", "new", "existing"]).default("all"),
  surfaces: z.array(z.enum(SURFACES)).min(1).default(["recommendations"]),
});

/** What `POST /admin/experiments` takes. The first variant is the control. */
export const ExperimentInput = z
  .strictObject({
    name: z.string().min(1).max(120),
    hypothesis: z.string().min(1).max(2000),
    /** Experiments in one layer never share a listener: two experiments on the same knob share a layer. */
    layer: Name.default("ranking"),
    /** Share of the layer's listeners this experiment takes, 0..1. */
    traffic: z.number().gt(0).max(1).default(1),
    variants: z.array(Variant).min(2).max(8),
    targeting: Targeting.default({ listeners: "all", surfaces: ["recommendations"] }),
    primaryMetric: ListenerMetricName,
    guardrails: z.array(Guardrail).max(8).default([]),
    /** Smallest relative lift of the primary metric worth detecting (0.02 = 2%): sizes the experiment. */
    minimumDetectableEffect: z.number().gt(0).max(1),
  })
  .superRefine((e, ctx) => {
    const sum = e.variants.reduce((s, v) => s + v.share, 0);
    if (Math.abs(sum - 1) > 1e-9) ctx.addIssue({ code: "custom", path: ["variants"], message: "shares must sum to 1" });
    if (new Set(e.variants.map((v) => v.name)).size !== e.variants.length)
      ctx.addIssue({ code: "custom", path: ["variants"], message: "variant names must differ" });
  });
export type ExperimentInput = z.infer<typeof ExperimentInput>;

export const EXPERIMENT_STATUSES = ["draft", "running", "paused", "stopped", "shipped"] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

/** A running experiment as the edge sees it (published to KV by the retrainer on every change). */
export interface LiveExperiment extends ExperimentInput {
  id: string;
  salt: string;
  /** Where in its layer's buckets (0..9999) this experiment's listeners fall: [from, to). */
  buckets: [number, number];
  startedAt: number;
}
