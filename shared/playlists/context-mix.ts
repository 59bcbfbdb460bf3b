import { ACTIVITIES, type Activity } from "../catalog/types";
import { meanOutsideDefiningRanges, withinDefiningRanges } from "../context/fit";
import { contextPhrase, type ContextLabel } from "../context/resolve";
import type { FeatureTargets } from "../context/targets";
import { evidenceWeight } from "../model/evidence";
import {
  contextMatches,
  tasteAnchors,
  type ActivityPool,
  type ContextMatch,
  type PoolEntry,
} from "../ranking/context-retrieval";
import type { Reason, TrackInfo } from "../ranking/types";
import { seededRandom } from "../util/random";
import type { ContextMixKind } from "./kinds";
import type { GeneratedPlaylist, PlaylistGenerator, PlaylistInput, PlaylistTrack } from "./types";

export const MIX_LENGTH = 30;
/** A mix is of the listener's taste, not of one artist's: at most this many tracks each. */
export const MIX_MAX_PER_ARTIST = 2;
/** The strongest history tracks that stand for the listener's taste, beside the model's strongest candidates. */
const HISTORY_ANCHORS = 20;
/**
 * A mix is drawn, with the period's seed, from this many times its length of the listener's
 * closest tracks for the context: a new list each day rather than the same thirty, and listeners
 * of neighbouring tastes do not get one list between them.
 */
const DRAW_FACTOR = 3;
const SEED_ARTISTS = 3;

/** How each context sounds, for the list's description. */
const SOUND_WORDS: Record<ContextLabel, string> = {
  workout: "fast, high-energy",
  focus: "steady, instrumental",
  relax: "easy, mellow",
  sleep: "calm, acoustic",
  party: "upbeat, danceable",
  commute: "easy-going",
  morning: "bright",
  afternoon: "lively",
  evening: "warm, groovy",
  night: "mellow",
};

export interface ContextList {
  tracks: PlaylistTrack[];
  seedArtists: { id: string; name: string }[];
  /** The main genres of the list, most tracks first, for its name. */
  genres: string[];
  /** The sound of the context, as words for the list's name. */
  sound: string;
}

/**
 * The tracks of a context list (a mix or the daylist): the context's pool, admitted only inside
 * its defining ranges, searched for what sounds like the listener's taste (their strongest history
 * and the model's strongest candidates), drawn with the period's seed, at most
 * MIX_MAX_PER_ARTIST per artist. The pool's usual bar (a good enough fit) serves ranking, where
 * each next request can correct course; a list is played end to end, so each of its tracks must
 * be what the context is: a sleep mix holds no track above the sleep energy range, a workout mix
 * none below the workout tempo. Without consent or anything to go by, the pool's most popular
 * admitted tracks, the chart's first.
 */
export function contextList(label: ContextLabel, input: PlaylistInput): ContextList {
  const pool = input.activityPool(label);
  const disliked = dislikes(input);
  const admit = (e: PoolEntry) => !disliked.tracks.has(e.track.id) && !disliked.artists.has(e.track.artistId);
  const anchors = input.personalized ? anchorsOf(input) : [];
  const ranked: Pick[] =
    anchors.length > 0
      ? drawn(contextMatches(pool, anchors, Infinity, admit), input.seed)
      : popular(pool, input, admit);
  const picks = insideOnAverage(ranked.slice(0, MIX_LENGTH), ranked.slice(MIX_LENGTH), pool.targets);
  const phrase = contextPhrase(label);
  const tracks = picks.map(({ track, anchor }): PlaylistTrack => ({
    trackId: track.id,
    reason: reasonFor(phrase, anchor),
  }));
  return {
    tracks,
    seedArtists: leadArtists(picks.flatMap((p) => p.anchor ?? [])),
    genres: leading(picks.map((p) => p.track.genre)),
    sound: SOUND_WORDS[label],
  };
}

function dislikes(input: PlaylistInput) {
  const tracks = new Set(input.session.dislikes.tracks);
  for (const entry of input.history) if (entry.dislikes > 0) tracks.add(entry.trackId);
  return { tracks, artists: new Set(input.session.dislikes.artists) };
}

/** What stands for the listener's taste: their strongest history tracks and the model's strongest candidates. */
function anchorsOf(input: PlaylistInput): TrackInfo[] {
  const history = input.history
    .map((entry) => ({ entry, weight: evidenceWeight(entry) }))
    .filter(({ weight }) => weight > 0)
    .sort((a, b) => b.weight - a.weight || a.entry.trackId.localeCompare(b.entry.trackId))
    .slice(0, HISTORY_ANCHORS)
    .flatMap(({ entry }) => input.tracks.get(entry.trackId) ?? []);
  const seen = new Set(history.map((t) => t.id));
  return [...history, ...tasteAnchors(input.candidates, input.tracks).filter((t) => !seen.has(t.id))];
}

type Pick = { track: TrackInfo; anchor?: TrackInfo };

/**
 * MIX_LENGTH of the closest matches, weighted by likeness (Efraimidis-Spirakis keys), at most
 * MIX_MAX_PER_ARTIST per artist, in order of likeness; the rest of the matches fill in if the
 * cap leaves the list short.
 */
function drawn(matches: readonly ContextMatch[], seed: number): Pick[] {
  const random = seededRandom(seed);
  // Personal first: how much more alike a track is to the listener's tracks than to the catalog's.
  const head = [...matches]
    .sort((a, b) => personal(b) - personal(a) || a.track.id.localeCompare(b.track.id))
    .slice(0, MIX_LENGTH * DRAW_FACTOR);
  const keyed = head
    .map((m) => ({ m, key: Math.log(1 - random()) / Math.max(1e-9, m.likeness) }))
    .sort((a, b) => b.key - a.key)
    .map(({ m }) => m);
  const rest = new Set(head);
  const [chosen, spare] = capped([...keyed, ...matches.filter((m) => !rest.has(m))]);
  return [...chosen.sort((a, b) => b.likeness - a.likeness || a.track.id.localeCompare(b.track.id)), ...spare];
}

function popular(pool: ActivityPool, input: PlaylistInput, admit: (e: PoolEntry) => boolean): Pick[] {
  const chartRank = new Map(input.chart.map((id, i) => [id, i]));
  const entries = [...pool.byGenre.values()].flat().filter(admit);
  entries.sort(
    (a, b) =>
      (chartRank.get(a.track.id) ?? Infinity) - (chartRank.get(b.track.id) ?? Infinity) ||
      b.track.popularity - a.track.popularity ||
      a.track.id.localeCompare(b.track.id),
  );
  return capped(entries)
    .flat()
    .map(({ track }) => ({ track }));
}

/**
 * Every track of a mix is close to its context (the pool's bar), and the mix as a whole is inside
 * it: while the mean of a range the context weighs fully is outside that range, the track furthest
 * out on it gives way to the first spare inside every range (within the artist cap). Admitting
 * only tracks inside every range would leave a sleep mix four genres to choose from, the same
 * for a soul fan and a metal fan; near enough, the soul fan gets calm soul.
 */
function insideOnAverage(picks: readonly Pick[], spares: readonly Pick[], targets: FeatureTargets): Pick[] {
  const list = [...picks];
  const queue = spares.filter((s) => withinDefiningRanges(s.track.features, targets));
  const perArtist = new Map<string, number>();
  for (const p of list) perArtist.set(p.track.artistId, (perArtist.get(p.track.artistId) ?? 0) + 1);
  for (
    let off = meanOutsideDefiningRanges(
      list.map((p) => p.track.features),
      targets,
    );
    off;
  ) {
    const { feature, side } = off;
    const sign = side === "above" ? 1 : -1;
    const worst = list.reduce(
      (w, p, i) => (sign * p.track.features[feature] > sign * list[w]!.track.features[feature] ? i : w),
      0,
    );
    const next = queue.findIndex(
      (s) =>
        (perArtist.get(s.track.artistId) ?? 0) < MIX_MAX_PER_ARTIST || s.track.artistId === list[worst]!.track.artistId,
    );
    if (next < 0) break;
    const [spare] = queue.splice(next, 1);
    perArtist.set(list[worst]!.track.artistId, perArtist.get(list[worst]!.track.artistId)! - 1);
    perArtist.set(spare!.track.artistId, (perArtist.get(spare!.track.artistId) ?? 0) + 1);
    list[worst] = spare!;
    off = meanOutsideDefiningRanges(
      list.map((p) => p.track.features),
      targets,
    );
  }
  return list;
}

/** The first MIX_LENGTH within the artist cap, and the rest in order, as spares. */
function capped<T extends { track: TrackInfo }>(ordered: readonly T[]): [chosen: T[], spare: T[]] {
  const perArtist = new Map<string, number>();
  const chosen: T[] = [];
  const spare: T[] = [];
  for (const item of ordered) {
    const n = perArtist.get(item.track.artistId) ?? 0;
    if (chosen.length >= MIX_LENGTH || n >= MIX_MAX_PER_ARTIST) {
      spare.push(item);
      continue;
    }
    perArtist.set(item.track.artistId, n + 1);
    chosen.push(item);
  }
  return [chosen, spare];
}

function reasonFor(phrase: string, anchor: TrackInfo | undefined): Reason {
  return anchor
    ? { code: "fits_context", text: `Fits ${phrase}, picked for your taste in ${anchor.artistName}` }
    : { code: "popular_in_region", text: `Popular, and fits ${phrase}` };
}

/** The artists whose tracks most of the list was found from. */
function leadArtists(anchors: readonly TrackInfo[]) {
  const names = new Map(anchors.map((t) => [t.artistId, t.artistName]));
  return leading(anchors.map((t) => t.artistId))
    .slice(0, SEED_ARTISTS)
    .map((id) => ({ id, name: names.get(id)! }));
}

/** Distinct values, most frequent first. */
function leading(values: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
}

/** Genres as a phrase: "ambient, classical and folk". */
export function genrePhrase(genres: readonly string[]): string {
  const shown = genres.slice(0, 3);
  return shown.length > 1 ? `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}` : (shown[0] ?? "");
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The context mix of one activity. */
export function contextMix(activity: Activity): PlaylistGenerator {
  return (input): GeneratedPlaylist | null => {
    const list = contextList(activity, input);
    if (list.tracks.length === 0) return null;
    const title = `${capitalised(activity)} mix`;
    const from =
      input.personalized && list.seedArtists.length > 0 ? "from what you like" : "popular picks, not personalised";
    return {
      kind: `mix-${activity}` satisfies ContextMixKind,
      title,
      description: `${title}: ${list.sound} ${genrePhrase(list.genres)}, ${from}`,
      seedArtists: list.seedArtists,
      tracks: list.tracks,
    };
  };
}

export const CONTEXT_MIXES = Object.fromEntries(ACTIVITIES.map((a) => [`mix-${a}`, contextMix(a)])) as Record<
  ContextMixKind,
  PlaylistGenerator
>;

const HUB_PENALTY = 2;
const personal = (m: ContextMatch) => m.likeness - HUB_PENALTY * m.centrality;
