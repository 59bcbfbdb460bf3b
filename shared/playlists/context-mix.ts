import { ACTIVITIES, type Activity } from "../catalog/types";
import { meanOutsideDefiningRanges } from "../context/fit";
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
import { isExcluded } from "../ranking/filters";
import type { Reason, TrackInfo } from "../ranking/types";
import { seededRandom } from "../util/random";
import type { ContextMixKind } from "./kinds";
import { listenerBounds } from "./listener";
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
/**
 * The draw's width, per mix slot, where nothing of the listener's own evidence (their model
 * candidates) is in the pool: a metal fan's sleep mix can only be found by likeness on the
 * features the context leaves free, which tells neighbouring tastes apart weakly, so a narrow
 * draw would give every loud listener the same calm tracks.
 */
const WEAK_DRAW_FACTOR = 20;
/**
 * How much a track's likeness to the catalog at large counts against its likeness to the
 * listener when the draw's head is chosen by likeness alone: central tracks are close to
 * everyone's tracks at once (hubs) and would be in every listener's head.
 */
const HUB_PENALTY = 2;
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
 * The tracks of a context list (a mix or the daylist): the context's pool (tracks close enough to
 * it), searched for what sounds like the listener's taste (their strongest history and the
 * model's strongest candidates), drawn with the period's seed (see drawn), at most
 * MIX_MAX_PER_ARTIST per artist, and kept inside the context's defining ranges on average (see
 * insideOnAverage). Without consent or anything to go by, the pool's most popular tracks, the
 * chart's first.
 */
export function contextList(label: ContextLabel, input: PlaylistInput): ContextList {
  const pool = input.activityPool(label);
  const { disliked } = listenerBounds(input);
  const admit = (e: PoolEntry) => !isExcluded(e.track, disliked);
  const anchors = input.personalized ? anchorsOf(input) : [];
  const ranked: Pick[] =
    anchors.length > 0 ? drawn(contextMatches(pool, anchors, Infinity, admit), input) : popular(pool, input, admit);
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
 * MIX_LENGTH drawn evenly from a head of the matches, at most MIX_MAX_PER_ARTIST per artist, in
 * order of likeness; the rest follow as spares. The head is the listener's own evidence first:
 * pool tracks among their model candidates, in the model's order (collaborative, so listeners
 * of different tastes who both like jazz get their own jazz); then the matches by likeness less
 * the hub penalty. It is DRAW_FACTOR times the mix where that evidence fills the mix, and widens
 * towards WEAK_DRAW_FACTOR for each slot it leaves to likeness alone. The draw is even because
 * likeness past the head's order is no evidence: weighting by it would give the few tracks that
 * happen to score highest to every listener of a similar sound.
 */
function drawn(matches: readonly ContextMatch[], input: PlaylistInput): Pick[] {
  const random = seededRandom(input.seed);
  const modelRank = new Map(input.candidates.map((c, i) => [c.trackId, i]));
  const known = matches
    .filter((m) => modelRank.has(m.track.id))
    .sort((a, b) => modelRank.get(a.track.id)! - modelRank.get(b.track.id)!);
  const byLikeness = matches
    .filter((m) => !modelRank.has(m.track.id))
    .sort((a, b) => personal(b) - personal(a) || a.track.id.localeCompare(b.track.id));
  const weakSlots = MIX_LENGTH - Math.min(known.length, MIX_LENGTH);
  const width = MIX_LENGTH * DRAW_FACTOR + weakSlots * (WEAK_DRAW_FACTOR - DRAW_FACTOR);
  const head = [...known, ...byLikeness].slice(0, width);
  const inHead = new Set(head);
  const shuffled = head
    .map((m) => ({ m, key: random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ m }) => m);
  const [chosen, spare] = capped([...shuffled, ...matches.filter((m) => !inHead.has(m))]);
  return [...chosen.sort((a, b) => b.likeness - a.likeness || a.track.id.localeCompare(b.track.id)), ...spare];
}

const personal = (m: ContextMatch) => m.likeness - HUB_PENALTY * m.centrality;

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
 * out on it gives way to the first spare inside that range (within the artist cap). Admitting
 * only tracks inside every range would leave a sleep mix four genres to choose from, the same
 * for a soul fan and a metal fan; near enough, the soul fan gets calm soul. The spares come in
 * the draw's order, and any one inside the range that is off will do (not only those inside
 * every range, a small set the same for everyone): so the swaps do not make the mixes alike.
 */
function insideOnAverage(picks: readonly Pick[], spares: readonly Pick[], targets: FeatureTargets): Pick[] {
  const list = [...picks];
  const queue = [...spares];
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
    const range = targets[feature]!;
    const next = queue.findIndex(
      (s) =>
        s.track.features[feature] >= range.min &&
        s.track.features[feature] <= range.max &&
        ((perArtist.get(s.track.artistId) ?? 0) < MIX_MAX_PER_ARTIST ||
          s.track.artistId === list[worst]!.track.artistId),
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
