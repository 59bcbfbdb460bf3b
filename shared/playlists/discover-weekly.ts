import { resolveContext } from "../context/resolve";
import { evidenceWeight } from "../model/evidence";
import { prepareCandidates } from "../ranking/candidates";
import { DEFAULT_RANKING_CONFIG } from "../ranking/config";
import { diversifyBy, type MmrAccess } from "../ranking/diversity";
import { isExcluded, removeExcluded, type Exclusions } from "../ranking/filters";
import { trackSimilarity } from "../ranking/similarity";
import { isNewRelease } from "../ranking/freshness";
import { chooseReason } from "../ranking/reasons";
import type { Candidate, ScoredCandidate, TrackInfo } from "../ranking/types";
import { fnv1a } from "../util/hash";
import { listenerBounds } from "./listener";
import type { GeneratedPlaylist, PlaylistInput } from "./types";

export const DISCOVER_WEEKLY_LENGTH = 30;
/** Distinct artists the pool should offer per place, so one per artist and diversity still leave a choice. */
const ARTISTS_PER_PLACE = 3;
/**
 * How far the week's draw scales a candidate's score (by 1 +- half of it): near-equal candidates
 * take turns from one week to the next, so a listener who played little still gets a new list,
 * while a strong candidate still makes it.
 */
const WEEKLY_DRAW = 0.5;
const NON_PERSONAL_NEW_RELEASES = 100;
const SEED_ARTISTS = 5;
const { sourceWeights, diversityLambda } = DEFAULT_RANKING_CONFIG;

/**
 * Discover Weekly: 30 tracks the listener has never played, from the model's candidates (widened
 * with the neighbours of their strongest history tracks when too few are new), at most one per
 * artist, spread over sounds by MMR, each with the reason it is there. Nothing disliked, ever.
 * Without consent to personalise, or with nothing known yet, a discovery list from the chart and
 * new releases, which says it is not personal.
 */
export function discoverWeekly(input: PlaylistInput): GeneratedPlaylist | null {
  const personal = input.personalized && (input.candidates.length > 0 || input.history.length > 0);
  const bounds = listenerBounds(input);
  // Last week's picks make way for others: a list the listener did not play from is still not news.
  const exclusions: Exclusions = {
    trackIds: new Set([...bounds.heard, ...bounds.disliked.trackIds, ...(input.previousTracks ?? [])]),
    artistIds: bounds.disliked.artistIds,
  };
  const pool = personal ? personalPool(input, exclusions) : nonPersonalPool(input);
  const scored = removeExcluded(prepareCandidates(pool, input.tracks, sourceWeights), exclusions);
  const picks = pickDiscoveries(scored, DISCOVER_WEEKLY_LENGTH, input.seed, CANDIDATES);
  if (picks.length === 0) return null;
  // No session taste goes into a weekly list, so no taste anchor and nothing liked to name.
  const reasonInputs = {
    tracks: input.tracks,
    liked: new Set<string>(),
    context: resolveContext(undefined, input.now),
    now: input.now,
  };
  return {
    kind: "discover-weekly",
    title: "Discover Weekly",
    description: personal
      ? `Your weekly mixtape of fresh music: ${picks.length} tracks you have not played yet, picked for your taste. New every Monday.`
      : `Fresh music from the charts and this month's new releases, new every Monday. Not personalised: ${
          input.personalized ? "play some music, and next week's list will be picked for you" : "personalisation is off"
        }.`,
    seedArtists: seedArtists(picks, input.tracks),
    tracks: picks.map((item) => ({
      trackId: item.track.id,
      reason: chooseReason(item, reasonInputs, DEFAULT_RANKING_CONFIG),
    })),
  };
}

/**
 * The model's candidates, and when fewer than enough distinct artists among them are new to the
 * listener, the neighbours of their history tracks, strongest evidence first, each naming the
 * history track it came from.
 */
function personalPool(input: PlaylistInput, exclusions: Exclusions): Candidate[] {
  const pool = [...input.candidates];
  const freshArtists = new Set<string>();
  const count = (id: string) => {
    const track = input.tracks.get(id);
    if (track && !isExcluded(track, exclusions)) freshArtists.add(track.artistId);
  };
  pool.forEach((c) => count(c.trackId));
  const wanted = ARTISTS_PER_PLACE * DISCOVER_WEEKLY_LENGTH;
  if (freshArtists.size >= wanted) return pool;
  const seeds = input.history
    .map((entry) => ({ id: entry.trackId, weight: evidenceWeight(entry) }))
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));
  for (const seed of seeds) {
    for (const { trackId, score } of input.neighbours(seed.id)) {
      pool.push({ trackId, score, because: seed.id, source: "similar" });
      count(trackId);
    }
    if (freshArtists.size >= wanted) break;
  }
  return pool;
}

/** The chart, and the most popular tracks of the last month's releases. */
function nonPersonalPool(input: PlaylistInput): Candidate[] {
  const chart = input.chart.map((trackId, i) => ({ trackId, score: input.chart.length - i, source: "chart" as const }));
  const fresh = [...input.tracks.values()]
    .filter((t) => isNewRelease(t.releaseDate, input.now, DEFAULT_RANKING_CONFIG.newReleaseDays))
    .sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id))
    .slice(0, NON_PERSONAL_NEW_RELEASES)
    .map((t) => ({ trackId: t.id, score: t.popularity, source: "fallback" as const }));
  return [...chart, ...fresh];
}

const CANDIDATES: DiscoveryAccess<ScoredCandidate> = {
  id: (c) => c.track.id,
  score: (c) => c.score,
  artist: (c) => c.track.artistId,
  similarity: (a, b) => trackSimilarity(a.vector, b.vector),
};

export interface DiscoveryAccess<T> extends MmrAccess<T> {
  id(item: T): string;
}

/**
 * The Discover Weekly choice among items already new to the listener: the week's draw moves each
 * score, each artist keeps its best item, and MMR spreads the list over sounds. Over any items, so
 * the offline evaluation measures this very policy on data with other items.
 */
export function pickDiscoveries<T>(items: readonly T[], count: number, seed: number, access: DiscoveryAccess<T>): T[] {
  const best = new Map<string, { item: T; score: number; id: string }>();
  for (const item of items) {
    const id = access.id(item);
    const score = access.score(item) * weeklyDraw(seed, id);
    const artist = access.artist(item);
    const current = best.get(artist);
    if (!current || score > current.score || (score === current.score && id < current.id)) {
      best.set(artist, { item, score, id });
    }
  }
  return diversifyBy(
    [...best.values()],
    count,
    { diversityLambda, maxPerArtist: 1, artistCapWindow: count },
    {
      score: (d) => d.score,
      artist: (d) => access.artist(d.item),
      similarity: (a, b) => access.similarity(a.item, b.item),
    },
  ).map((d) => d.item);
}

/** 1 +- WEEKLY_DRAW / 2, fixed for an item within a period (the seed is per listener and period). */
function weeklyDraw(seed: number, id: string): number {
  return 1 + WEEKLY_DRAW * (fnv1a(`${seed}:${id}`) / 0x1_0000_0000 - 0.5);
}

/** The artists whose tracks raised the most picks; for a list raised by none, the picks' own first artists. */
function seedArtists(picks: readonly ScoredCandidate[], tracks: ReadonlyMap<string, TrackInfo>) {
  const counts = new Map<string, { id: string; name: string; n: number; first: number }>();
  picks.forEach((item, i) => {
    const from = item.because ? tracks.get(item.because) : undefined;
    if (!from) return;
    const entry = counts.get(from.artistId) ?? { id: from.artistId, name: from.artistName, n: 0, first: i };
    entry.n++;
    counts.set(from.artistId, entry);
  });
  const ranked = [...counts.values()].sort((a, b) => b.n - a.n || a.first - b.first);
  const artists = ranked.length > 0 ? ranked : picks.map((p) => ({ id: p.track.artistId, name: p.track.artistName }));
  return artists.slice(0, SEED_ARTISTS).map(({ id, name }) => ({ id, name }));
}
