import { recentPositiveTracks, contentNeighbours } from "../../shared/db/queries";
import type { CatalogTrack } from "../../shared/publish/artifacts";
import { explorationSeed, rankRecommendations, type Candidate, type RankedItem } from "../../shared/ranking";
import { createSession, readTaste, type SessionState } from "../../shared/session";
import type { ContextInput } from "../../shared/context/resolve";
import { seededRandom } from "../../shared/util/random";
import { topChart } from "./charts";
import type { Env } from "./env";
import { listenerPseudonym, sessionOf } from "./listener";
import { catalog, charts, currentModel, listenerCandidates, similarTracks } from "./model-store";
import { findTracks } from "./tracks";

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
}

export interface RecommendOptions {
  limit: number;
  context?: ContextInput;
  region?: string;
  now?: number;
}

/**
 * Personal recommendations for one listener: the model's candidates for them from KV (or, for a
 * listener the model has not seen, neighbours of their history from D1), widened by neighbours of
 * what the session just played and by the regional chart, then ranked by the shared pipeline
 * with the live session from its Durable Object.
 */
export async function recommend(env: Env, rawListenerId: string, options: RecommendOptions): Promise<Recommendations> {
  const now = options.now ?? Date.now();
  const listener = await listenerPseudonym(env, rawListenerId);
  const [view, model] = await Promise.all([sessionOf(env, listener).snapshot(), currentModel(env)]);
  const version = model?.version ?? null;
  // Without consent to personalise, the answer uses only what is not about the listener: charts and context.
  const personalized = view.consent.personalization;
  const session = personalized ? view.state : createSession();

  const artifact = personalized && version ? await listenerCandidates(env, version, listener) : null;
  const taste = readTaste(session, now);
  const sessionSeeds = [...taste.tracks]
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, SESSION_SEEDS)
    .map(([id]) => id);
  const historySeeds = artifact || !personalized ? [] : await recentPositiveTracks(env.DB, listener, HISTORY_SEEDS);
  const neighbourLists = new Map(
    await Promise.all(
      [...new Set([...sessionSeeds, ...historySeeds])].map(async (id) => {
        const published = version ? await similarTracks(env, version, id) : null;
        const list =
          published?.similar ?? (await contentNeighbours(env.DB, id, 50)).map((t, i) => [t, 1 / (i + 1)] as const);
        return [id, list.map(([trackId, score]) => ({ trackId, score }))] as const;
      }),
    ),
  );

  const candidates: Candidate[] = [];
  for (const [trackId, score, because] of artifact?.candidates ?? []) {
    candidates.push({ trackId, score, source: "model", ...(because ? { because } : {}) });
  }
  for (const [seed, list] of neighbourLists) {
    const seedWeight = taste.tracks.get(seed) ?? 1;
    if (seedWeight <= 0) continue;
    for (const n of list)
      candidates.push({ trackId: n.trackId, score: n.score * seedWeight, source: "similar", because: seed });
  }
  // The chart only fills in where the listener's own evidence runs thin (new listeners, cold start).
  const chart = await topChart(env, options.region ?? null, CHART_CANDIDATES);
  if (candidates.length < options.limit * CHART_FILL_FACTOR) {
    chart.trackIds.forEach((trackId, i) => candidates.push({ trackId, score: 1 / (i + 1), source: "chart" }));
  }

  const snapshot = version ? await catalog(env, version) : new Map<string, CatalogTrack>();
  const tracks =
    snapshot.size > 0
      ? snapshot
      : await findTracks(
          env,
          null,
          candidates.map((c) => c.trackId),
        );
  const items = rankRecommendations({
    candidates,
    tracks,
    session,
    context: options.context,
    explorationPool: version ? await explorationPool(env, version, snapshot, listener, now) : [],
    heardTrackIds: new Set([...(artifact?.heard ?? []), ...session.played]),
    neighbours: (id) => neighbourLists.get(id) ?? [],
    region: chart.region ?? undefined,
    now,
    seed: explorationSeed(listener, now),
    n: options.limit,
  });
  const source: CandidateSource = artifact
    ? "model"
    : historySeeds.length > 0 || sessionSeeds.length > 0
      ? "history"
      : "charts";
  return { listener, modelVersion: version, source, personalized, items, tracks, session };
}

/** New releases plus a daily sample of the catalog, from which the pipeline picks what is new to the listener. */
async function explorationPool(
  env: Env,
  version: string,
  snapshot: Map<string, CatalogTrack>,
  listener: string,
  now: number,
) {
  const all = [...snapshot.values()];
  const random = seededRandom(explorationSeed(listener, now));
  const sample = Array.from(
    { length: Math.min(EXPLORATION_SAMPLE, all.length) },
    () => all[Math.floor(random() * all.length)]!,
  );
  const newReleases = ((await charts(env, version))?.newReleases ?? []).flatMap((id) => snapshot.get(id) ?? []);
  return [...new Map([...newReleases, ...sample].map((t) => [t.id, t])).values()];
}
