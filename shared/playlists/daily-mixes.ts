import { evidenceWeight } from "../model/evidence";
import { interleave } from "../ranking/exploration";
import { isExcluded } from "../ranking/filters";
import { anchorReason } from "../ranking/reasons";
import { trackSimilarity, trackVector, type TrackVector } from "../ranking/similarity";
import type { Reason, TrackInfo } from "../ranking/types";
import { fnv1a } from "../util/hash";
import { sampleWithoutReplacement, seededRandom } from "../util/random";
import type { DailyMixKind } from "./kinds";
import { dislikedInHistory, listenerBounds } from "./listener";
import { clusterByVariety } from "./taste-clusters";
import type { GeneratedPlaylist, PlaylistGenerator, PlaylistInput, PlaylistTrack } from "./types";

export const DAILY_MIX_RULES = {
  /** Familiar favourites' share of a mix; the rest are new tracks close to them. */
  familiarShare: 0.7,
  /** A mix holds at most this many tracks (35 familiar, 15 new). */
  maxTracks: 50,
  /** A second taste needs this many of the listener's tracks to be a mix of its own (a mix of 17 or more). */
  minFamiliar: 12,
  /** A listener needs this many liked or played tracks for a first mix (of 9 or more). */
  minFirstMix: 6,
  /** Without consent: a chart cluster needs this many tracks to be a genre mix. */
  minChartTracks: 10,
  maxMixes: 6,
  /**
   * Below this weighted silhouette a split is spread within one taste, not several tastes: on the
   * demo listeners, splitting one genre scores at most 0.34, two genres of 12+ tracks 0.48 or more (p10).
   */
  minSilhouette: 0.4,
  /** The heaviest history tracks clustered: enough for any taste, and a bounded n*n distance matrix. */
  maxClustered: 300,
  /** A new track is scored against this many of a cluster's heaviest tracks. */
  anchors: 20,
  /** New tracks are drawn from this many times as many of the closest, so a mix changes from day to day. */
  poolFactor: 3,
  maxNewPerArtist: 2,
  /** A genre names a mix when it has this share of the mix's weight (at most three do). */
  nameGenreShare: 0.2,
};

interface TasteTrack {
  track: TrackInfo;
  vector: TrackVector;
  weight: number;
  liked: boolean;
}

interface NewTrack {
  track: TrackInfo;
  score: number;
  /** The cluster track it sounds most like, which explains it. */
  anchor: TasteTrack;
}

/** One mix as the clustering makes it, before the day's draw. */
interface MixPlan {
  genres: string[];
  artists: { id: string; name: string }[];
  /** The cluster's tracks from the listener's history (or the chart's), heaviest first. */
  familiar: TasteTrack[];
  /** Unheard tracks nearer this cluster than any other, best first. */
  fresh: NewTrack[];
}

interface Plan {
  personal: boolean;
  mixes: MixPlan[];
}

/**
 * All daily mixes of one input come from one clustering, and the listing asks for all six kinds
 * at once: it is made once per history (the edge hands every kind of one request the same
 * history array; without consent, the same chart array).
 */
const plans = new WeakMap<object, Plan>();

function planOf(input: PlaylistInput): Plan {
  const key = input.personalized ? input.history : input.chart;
  let plan = plans.get(key);
  if (!plan) {
    plan = input.personalized ? personalPlan(input) : chartPlan(input);
    plans.set(key, plan);
  }
  return plan;
}

/**
 * The listener's tastes: their history (positive evidence only, weighted by it) clustered by
 * sound and genre, one cluster per mix, each with the unheard tracks closest to it.
 */
function personalPlan(input: PlaylistInput): Plan {
  // The clusters are of the history alone, so a dislike in the session does not reshape them.
  const disliked = dislikedInHistory(input.history);
  const taste = input.history
    .flatMap((entry) => {
      const track = input.tracks.get(entry.trackId);
      const weight = evidenceWeight(entry);
      return track && weight > 0 && !disliked.has(track.id)
        ? [{ track, vector: trackVector(track), weight, liked: entry.likes > 0 }]
        : [];
    })
    .sort((a, b) => b.weight - a.weight || a.track.id.localeCompare(b.track.id))
    .slice(0, DAILY_MIX_RULES.maxClustered);
  const clusters = clusterTracks(taste, DAILY_MIX_RULES.minFamiliar);
  const heard = new Set([
    ...input.history.map((h) => h.trackId),
    ...input.session.played,
    ...input.session.recent.map((e) => e.trackId),
  ]);
  const fresh = newTracksByCluster(input, clusters, heard);
  return { personal: true, mixes: clusters.map((familiar, c) => mixPlan(familiar, fresh[c]!)) };
}

/** Without consent: the chart clustered the same way, a genre mix per cluster, the same for everyone. */
function chartPlan(input: PlaylistInput): Plan {
  const taste = input.chart.flatMap((id, rank) => {
    const track = input.tracks.get(id);
    return track ? [{ track, vector: trackVector(track), weight: 1 / Math.sqrt(rank + 1), liked: false }] : [];
  });
  const clusters = clusterTracks(taste, DAILY_MIX_RULES.minChartTracks);
  return { personal: false, mixes: clusters.map((familiar) => mixPlan(familiar, [])) };
}

function clusterTracks(taste: TasteTrack[], minClusterSize: number): TasteTrack[][] {
  const n = taste.length;
  const distance = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      distance[i * n + j] = distance[j * n + i] = 1 - trackSimilarity(taste[i]!.vector, taste[j]!.vector);
  const { clusters } = clusterByVariety(
    distance,
    taste.map((t) => t.weight),
    {
      maxClusters: DAILY_MIX_RULES.maxMixes,
      minClusterSize,
      minSilhouette: DAILY_MIX_RULES.minSilhouette,
      // The same history clusters the same way on every request and for every mix number.
      seed: fnv1a(taste.map((t) => t.track.id).join(",")),
    },
  );
  // Splits are only taken with clusters of minClusterSize (clusterByVariety); a lone cluster only needs a few tracks.
  const floor = Math.min(minClusterSize, DAILY_MIX_RULES.minFirstMix);
  return clusters.filter((c) => c.members.length >= floor).map((c) => c.members.map((i) => taste[i]!));
}

/**
 * Unheard tracks near the listener's clusters, from the model's candidates, the published
 * neighbours of the cluster's tracks and the catalog's tracks of the cluster's genres. Each goes
 * to the one cluster it is closest to (weighted mean similarity to the cluster's heaviest
 * tracks), so mixes do not share new tracks; the model's and the neighbours' own scores lift it.
 */
function newTracksByCluster(input: PlaylistInput, clusters: TasteTrack[][], heard: ReadonlySet<string>): NewTrack[][] {
  const modelScore = new Map(input.candidates.map((c, i) => [c.trackId, 1 - i / input.candidates.length]));
  const neighbourScore = new Map<string, number>();
  for (const cluster of clusters)
    for (const { track } of cluster)
      for (const { trackId, score } of input.neighbours(track.id))
        neighbourScore.set(trackId, Math.max(neighbourScore.get(trackId) ?? 0, score));
  const genres = new Set(clusters.flat().map((t) => t.track.genre));
  const pool = new Set([...modelScore.keys(), ...neighbourScore.keys()]);
  for (const track of input.tracks.values()) if (genres.has(track.genre)) pool.add(track.id);

  const anchors = clusters.map((c) => c.slice(0, DAILY_MIX_RULES.anchors));
  const byCluster: NewTrack[][] = clusters.map(() => []);
  for (const id of pool) {
    const track = input.tracks.get(id);
    if (!track || heard.has(id)) continue;
    const vector = trackVector(track);
    let best = -1,
      closeness = -1,
      anchor: TasteTrack | undefined;
    anchors.forEach((members, c) => {
      let sum = 0,
        mass = 0,
        nearest = -1,
        nearestTrack = members[0]!;
      for (const member of members) {
        const similarity = trackSimilarity(vector, member.vector);
        sum += member.weight * similarity;
        mass += member.weight;
        if (similarity > nearest) [nearest, nearestTrack] = [similarity, member];
      }
      if (sum / mass > closeness) [best, closeness, anchor] = [c, sum / mass, nearestTrack];
    });
    const score = closeness + 0.25 * (modelScore.get(id) ?? 0) + 0.25 * (neighbourScore.get(id) ?? 0);
    byCluster[best]!.push({ track, score, anchor: anchor! });
  }
  for (const list of byCluster) list.sort((a, b) => b.score - a.score || a.track.id.localeCompare(b.track.id));
  return byCluster;
}

function mixPlan(familiar: TasteTrack[], fresh: NewTrack[]): MixPlan {
  const total = familiar.reduce((sum, t) => sum + t.weight, 0);
  const weightOf = (key: (t: TasteTrack) => string) => {
    const sums = new Map<string, number>();
    for (const t of familiar) sums.set(key(t), (sums.get(key(t)) ?? 0) + t.weight);
    return [...sums].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  const genres = weightOf((t) => t.track.genre);
  const names = new Map(familiar.map((t) => [t.track.artistId, t.track.artistName]));
  return {
    genres: genres
      .filter(([, weight], i) => i === 0 || weight >= DAILY_MIX_RULES.nameGenreShare * total)
      .slice(0, 3)
      .map(([genre]) => genre),
    artists: weightOf((t) => t.track.artistId).map(([id]) => ({ id, name: names.get(id)! })),
    familiar,
    fresh,
  };
}

/**
 * Daily mix `number` of the listener: about 70% of their favourites from one cluster of their
 * taste (drawn by weight when there are more than fit, so a big cluster rotates from day to day)
 * and 30% unheard tracks closest to that cluster, at most two per artist, spread through the
 * list; nothing disliked. Null when the listener has fewer clusters than `number`.
 */
export function dailyMix(number: number): PlaylistGenerator {
  const kind = `daily-mix-${number}` as DailyMixKind & GeneratedPlaylist["kind"];
  return (input) => {
    const plan = planOf(input);
    const mix = plan.mixes[number - 1];
    if (!mix) return null;
    const { disliked } = listenerBounds(input);
    const allowed = (t: TrackInfo) => !isExcluded(t, disliked);
    const random = seededRandom(input.seed);

    const maxFamiliar = Math.round(DAILY_MIX_RULES.maxTracks * DAILY_MIX_RULES.familiarShare);
    const familiarPool = mix.familiar.filter((t) => allowed(t.track));
    const familiar = sampleWithoutReplacement(
      random,
      familiarPool,
      familiarPool.map((t) => t.weight),
      maxFamiliar,
    );
    const newCount = plan.personal
      ? Math.round((familiar.length * (1 - DAILY_MIX_RULES.familiarShare)) / DAILY_MIX_RULES.familiarShare)
      : 0;
    const fresh = drawNew(
      mix.fresh.filter((t) => allowed(t.track)),
      newCount,
      random,
    );
    if (familiar.length + fresh.length === 0) return null;

    const familiarReason = (t: TasteTrack): Reason =>
      plan.personal
        ? { code: "familiar", text: t.liked ? "You liked this" : "You played this" }
        : { code: "popular_in_region", text: "Popular right now" };
    const tracks = interleave<PlaylistTrack>(
      familiar.map((t) => ({ trackId: t.track.id, reason: familiarReason(t) })),
      fresh.map((t) => ({ trackId: t.track.id, reason: anchorReason(t.anchor.track, t.anchor.liked) })),
      familiar.length + fresh.length,
      random,
    );
    const artists = mix.artists.filter((a) => !disliked.artistIds.has(a.id));
    return {
      kind,
      title: mixTitle(number, mix.genres, artists),
      description: plan.personal
        ? `${familiar.length} of your ${listed(mix.genres)} favourites and ${fresh.length} new tracks that sound like them. New every day.`
        : `Popular ${listed(mix.genres)} right now, the same for everyone: personalisation is off, so this mix is not made from your listening.`,
      seedArtists: artists.slice(0, 5),
      tracks,
    };
  };
}

/** `count` of the closest new tracks, drawn by rank from a few times as many, at most two per artist. */
function drawNew(fresh: NewTrack[], count: number, random: () => number): NewTrack[] {
  const pool = fresh.slice(0, count * DAILY_MIX_RULES.poolFactor);
  // By rank, not raw score: scores of close tracks are near each other, and the best should still be likeliest.
  const order = sampleWithoutReplacement(
    random,
    pool,
    pool.map((_, rank) => Math.exp(-rank / Math.max(1, count))),
    pool.length,
  );
  const perArtist = new Map<string, number>();
  const picked: NewTrack[] = [];
  for (const t of order) {
    if (picked.length === count) break;
    const n = perArtist.get(t.track.artistId) ?? 0;
    if (n >= DAILY_MIX_RULES.maxNewPerArtist) continue;
    perArtist.set(t.track.artistId, n + 1);
    picked.push(t);
  }
  return picked;
}

/** "Daily Mix 2: dream pop, shoegaze · Slowdive, Beach House ..." */
export function mixTitle(number: number, genres: readonly string[], artists: readonly { name: string }[]): string {
  const leads = artists.slice(0, 2).map((a) => a.name);
  const more = artists.length > leads.length ? " ..." : "";
  return `Daily Mix ${number}: ${genres.join(", ")}${leads.length ? ` · ${leads.join(", ")}${more}` : ""}`;
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
