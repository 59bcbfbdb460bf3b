import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { recentPositiveTracks, contentNeighbours } from "../../shared/db/queries";
import { listeners } from "../../shared/db/schema";
import type { CatalogTrack } from "../../shared/publish/artifacts";
import {
  activityPool,
  type ActivityPool,
  explorationSeed,
  rankRecommendations,
  type Candidate,
  type RankedItem,
} from "../../shared/ranking";
import { createSession, readTaste, type SessionState } from "../../shared/session";
import { recentlyLiked } from "../../shared/session/read";
import type { ServedVariant } from "../../shared/analytics/attribution";
import type { RankingOverrides } from "../../shared/experiments/definition";
import type { ContextInput, ContextLabel } from "../../shared/context/resolve";
import { seededRandom } from "../../shared/util/random";
import { topChart } from "./charts";
import { Degradation, type Store } from "./degraded";
import type { Env } from "./env";
import { experimentServing, logExposures, type ServingRequest } from "./experiments";
import { sessionOf } from "./listener";
import {
  browseTracks,
  charts,
  currentModel,
  explorationTracks,
  listenerCandidates,
  type PublishedCharts,
  similarTracks,
} from "./model-store";
import { findTracks, requestTracks } from "./tracks";

const CHART_CANDIDATES = 50;
const CHART_FILL_FACTOR = 3;
const HISTORY_SEEDS = 10;
/** Session tracks whose neighbours are fetched: the strongest few, to bound KV reads per request. */
const SESSION_SEEDS = 4;
const EXPLORATION_SAMPLE = 300;

export type CandidateSource = "model" | "history" | "charts";

export interface Recommendations {
  listener: string;
  modelVersion: string | null;
  source: CandidateSource;
  personalized: boolean;
  items: RankedItem[];
  tracks: ReadonlyMap<string, CatalogTrack>;
  session: SessionState;
  /** Stores that failed while answering; the answer was made without them. */
  degraded: Store[];
  /** The experiment variants the answer was made by (their exposure is logged); none outside experiments. */
  variants: ServedVariant[];
}

export interface RecommendOptions {
  limit: number;
  context?: ContextInput;
  region?: string;
  now?: number;
  /** Where the answer goes, for experiments' targeting; without it the answer is outside experiments. */
  serving?: Omit<ServingRequest, "region">;
}

/**
 * Personal recommendations for one listener: the model's candidates for them from KV (or, for a
 * listener the model has not seen, neighbours of their history from D1), widened by neighbours of
 * what the session just played and by the regional chart, then ranked by the shared pipeline
 * with the live session from its Durable Object. When a store fails the answer is made without it
 * (KV: candidates from D1 history and content neighbours; D1: the published chart; session object:
 * no session features) and `degraded` names it. The shipped default overrides apply, and for a
 * listener in experiments their variants' model version and overrides (see ./experiments.ts).
 */
export async function recommend(env: Env, listener: string, options: RecommendOptions): Promise<Recommendations> {
  const now = options.now ?? Date.now();
  const degraded = new Degradation();
  const [view, model] = await Promise.all([
    degraded.read("session", () => sessionOf(env, listener).snapshot(), null),
    degraded.read("kv", () => currentModel(env), null),
  ]);
  const experiments = await experimentServing(
    env,
    degraded,
    listener,
    view,
    model,
    options.serving && { ...options.serving, region: options.region ?? null },
  );
  const version = experiments.modelVersion ?? model?.version ?? null;
  const overrides = experiments.overrides;
  const sources = new Set(overrides.candidateSources ?? ["model", "similar", "chart"]);
  // Without consent to personalise, the answer uses only what is not about the listener: charts and
  // context. Without the session object its consent comes from D1's copy, or, lacking both, is not assumed.
  const personalized = view
    ? view.consent.personalization
    : await degraded.read("d1", () => storedConsent(env.DB, listener), false);
  const session = view && personalized ? view.state : createSession();

  const artifact =
    personalized && version ? await degraded.read("kv", () => listenerCandidates(env, version, listener), null) : null;
  const taste = readTaste(session, now);
  const sessionSeeds = [...taste.tracks]
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, SESSION_SEEDS)
    .map(([id]) => id);
  const historySeeds =
    artifact || !personalized
      ? []
      : await degraded.read("d1", () => recentPositiveTracks(env.DB, listener, HISTORY_SEEDS), []);
  const neighbourLists = new Map(
    await Promise.all(
      [...new Set([...sessionSeeds, ...historySeeds])].map(async (id) => {
        const published = version ? await degraded.read("kv", () => similarTracks(env, version, id), null) : null;
        const list =
          published ??
          (await degraded.read("d1", () => contentNeighbours(env.DB, id, 50), [])).map(
            (t, i) => [t, 1 / (i + 1)] as const,
          );
        return [id, list.map(([trackId, score]) => ({ trackId, score }))] as const;
      }),
    ),
  );

  const candidates: Candidate[] = [];
  for (const [trackId, score, because] of sources.has("model") ? (artifact?.candidates ?? []) : []) {
    candidates.push({ trackId, score, source: "model", ...(because ? { because } : {}) });
  }
  for (const [seed, list] of sources.has("similar") ? neighbourLists : []) {
    const seedWeight = taste.tracks.get(seed) ?? 1;
    if (seedWeight <= 0) continue;
    for (const n of list)
      candidates.push({ trackId: n.trackId, score: n.score * seedWeight, source: "similar", because: seed });
  }
  // The chart only fills in where the listener's own evidence runs thin (new listeners, cold start).
  const chart = await topChart(env, options.region ?? null, CHART_CANDIDATES, degraded);
  if (sources.has("chart") && candidates.length < options.limit * CHART_FILL_FACTOR) {
    chart.trackIds.forEach((trackId, i) => candidates.push({ trackId, score: 1 / (i + 1), source: "chart" }));
  }

  // The rows ranking looks up: the candidates', what explains them, the session's taste and likes.
  const wanted = [
    ...candidates.flatMap((c) => (c.because ? [c.trackId, c.because] : [c.trackId])),
    ...taste.tracks.keys(),
    ...recentlyLiked(session),
  ];
  const browse = version ? await degraded.read("kv", () => browseTracks(env, version), NO_TRACKS) : NO_TRACKS;
  const published = version && browse.size > 0 ? await degraded.read("kv", () => charts(env, version), null) : null;
  const exploration =
    version && browse.size > 0
      ? await explorationPool(env, degraded, version, published, listener, options.region ?? null, now)
      : [];
  const tracks =
    version && browse.size > 0
      ? await requestTracks(env, degraded, version, [browse, artifact?.tracks, published?.tracks], wanted)
      : await degraded.read("d1", () => findTracks(env, null, wanted), NO_TRACKS);
  const items = rankRecommendations(
    {
      candidates,
      tracks,
      session,
      context: options.context,
      explorationPool: exploration,
      activityPool: (activity) => activityPoolOf(browse, activity),
      heardTrackIds: new Set([...(artifact?.heard ?? []), ...session.played]),
      neighbours: (id) => neighbourLists.get(id) ?? [],
      region: chart.region ?? undefined,
      now,
      seed: explorationSeed(listener, now),
      n: options.limit,
    },
    rankingConfig(overrides),
  );
  const source: CandidateSource =
    artifact && sources.has("model")
      ? "model"
      : sources.has("similar") && (historySeeds.length > 0 || sessionSeeds.length > 0)
        ? "history"
        : "charts";
  if (view) await logExposures(env, degraded, listener, view, experiments.variants);
  return {
    listener,
    modelVersion: version,
    source,
    personalized,
    items,
    tracks,
    session,
    degraded: degraded.stores,
    variants: experiments.variants,
  };
}

/** The ranking knobs of overrides; which candidate sources feed the ranking is decided above. */
function rankingConfig({ candidateSources: _, ...knobs }: RankingOverrides) {
  return knobs;
}

const NO_TRACKS: ReadonlyMap<string, CatalogTrack> = new Map();

/**
 * Each browse set's tracks per activity or time of day, built on first use: the set is held per version,
 * and bounded, so a pool is built from the most listened tracks, never by a pass over the catalog.
 */
const activityPools = new WeakMap<ReadonlyMap<string, CatalogTrack>, Map<ContextLabel, ActivityPool>>();

export function activityPoolOf(browse: ReadonlyMap<string, CatalogTrack>, label: ContextLabel): ActivityPool {
  let pools = activityPools.get(browse);
  if (!pools) activityPools.set(browse, (pools = new Map()));
  let pool = pools.get(label);
  if (!pool) pools.set(label, (pool = activityPool(browse.values(), label)));
  return pool;
}

async function storedConsent(db: D1Database, listener: string): Promise<boolean> {
  const [row] = await drizzle(db)
    .select({ personalization: listeners.consentPersonalization })
    .from(listeners)
    .where(eq(listeners.id, listener));
  // A listener D1 has no row for has nothing stored to personalise with, whatever they chose.
  return row?.personalization ?? true;
}

/**
 * New releases plus the listener's sample of the day's exploration pool (drawn by the publisher from the
 * whole catalog and, for a listener's region with pools of its own, what its listeners play beyond its
 * chart), from which the pipeline picks what is new to the listener.
 */
async function explorationPool(
  env: Env,
  degraded: Degradation,
  version: string,
  published: PublishedCharts | null,
  listener: string,
  region: string | null,
  now: number,
): Promise<CatalogTrack[]> {
  const pool = await degraded.read("kv", () => explorationTracks(env, version, now, region), []);
  const random = seededRandom(explorationSeed(listener, now));
  const sample = Array.from(
    { length: Math.min(EXPLORATION_SAMPLE, pool.length) },
    () => pool[Math.floor(random() * pool.length)]!,
  );
  return [...new Map([...(published?.newReleases ?? []), ...sample].map((t) => [t.id, t])).values()];
}
