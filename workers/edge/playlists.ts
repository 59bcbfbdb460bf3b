import { CHART_LENGTH, listeningHistory } from "../../shared/db/queries";
import { OWN_PLAYLIST_PERIOD } from "../../shared/playlists/own";
import { evidenceWeight } from "../../shared/model/evidence";
import {
  dropsDislikesAtOnce,
  generatePlaylist,
  isPlaylistKind,
  withoutDisliked,
  periodOf,
  refreshOf,
  type FrozenPlaylist,
  type HistoryEntry,
  type PlaylistInput,
  type PlaylistKind,
  type PlaylistTrack,
} from "../../shared/playlists";
import { localHour, localWeekday } from "../../shared/context/local-hour";
import { createSession } from "../../shared/session";
import type { SessionState } from "../../shared/session/state";
import { fnv1a } from "../../shared/util/hash";
import { topChart } from "./charts";
import { Degradation, findTracksDegrading, type Store } from "./degraded";
import type { Env } from "./env";
import { sessionOf } from "./listener";
import type { SessionView } from "./session";
import { browseTracks, charts, currentModel, listenerCandidates, similarTracks } from "./model-store";
import { activityPoolOf } from "./recommend";
import { requestTracks } from "./tracks";

/** History tracks whose published neighbours a generator may ask for: the strongest few, to bound KV reads. */
const NEIGHBOUR_SEEDS = 20;

export interface PlaylistRequest {
  now: number;
  /** The zone the client sent with this request, if any; remembered for the listener's next requests. */
  timeZone?: string;
  /** The zone Cloudflare places the caller in (`request.cf.timezone`), used when no client ever sent one. */
  requestZone?: string;
  localTime?: string;
  region: string | null;
}

export interface PlaylistAnswer {
  list: FrozenPlaylist | null;
  personalized: boolean;
  degraded: Store[];
}

/**
 * The listener's list of `kind` for the period the moment falls in, in their time zone: the one
 * frozen in their session object if it was made already, else generated now from the published
 * model and frozen, so it stays the same for the whole period (a new model version or a restart
 * included). Lists made while a store was down, or without consent to personalise, are not frozen:
 * the next request makes them again, from whatever can then be read.
 */
export async function playlistFor(env: Env, pseudonym: string, kind: PlaylistKind, request: PlaylistRequest) {
  const degraded = new Degradation();
  const session = sessionOf(env, pseudonym);
  const [view, rememberedZone] = await Promise.all([
    degraded.read("session", () => requestSession(request, pseudonym, () => session.snapshot(request.now)), null),
    degraded.read(
      "session",
      () => requestZone(request, pseudonym, () => session.timeZone(request.timeZone ?? null)),
      null,
    ),
  ]);
  const timeZone = request.timeZone ?? rememberedZone ?? request.requestZone ?? "UTC";
  const period = periodOf(refreshOf(kind), request.now, timeZone);
  const personalized = view?.consent.personalization ?? false;
  // A dislike since the list was frozen takes effect at once, in every list whose kind allows it.
  const served = async (list: FrozenPlaylist): Promise<PlaylistAnswer> => ({
    list:
      view && personalized && dropsDislikesAtOnce(kind) ? await withoutDislikes(env, degraded, list, view.state) : list,
    personalized,
    degraded: degraded.stores,
  });
  if (personalized) {
    const frozen = await degraded.read("session", () => session.frozenPlaylist(kind, period.key), null);
    if (frozen) return served(frozen);
  }

  const [model, previousTracks] = await Promise.all([
    degraded.read("kv", () => currentModel(env), null),
    // The kind's one stored row holds the list of the last period it was asked for.
    personalized
      ? degraded.read(
          "session",
          async () => {
            const last = await session.latestPlaylist(kind);
            return last && last.periodKey !== period.key ? last.tracks.map((t) => t.trackId) : [];
          },
          [],
        )
      : [],
  ]);
  const version = model?.version ?? null;
  const input = await playlistInput(env, degraded, pseudonym, version, request, {
    now: request.now,
    seed: fnv1a(`${pseudonym}:${kind}:${period.key}`),
    personalized,
    session: personalized && view ? view.state : createSession(),
    localHour: localHour(request.localTime, timeZone, request.now) ?? 12,
    localWeekday: localWeekday(request.localTime, timeZone, request.now),
    region: request.region,
    previousTracks,
  });
  const generated = input && generatePlaylist(kind, input);
  if (!generated) return { list: null, personalized, degraded: degraded.stores } satisfies PlaylistAnswer;
  const list: FrozenPlaylist = {
    ...generated,
    periodKey: period.key,
    generatedAt: request.now,
    validUntil: period.end,
    modelVersion: version,
  };
  const complete = degraded.stores.length === 0;
  const answered =
    personalized && complete ? await degraded.read("session", () => session.freezePlaylist(list), list) : list;
  return served(answered);
}

/** The list less what the listener dislikes now; artists are looked up only when an artist is disliked. */
async function withoutDislikes(env: Env, degraded: Degradation, list: FrozenPlaylist, state: SessionState) {
  const tracks =
    state.dislikes.artists.length > 0
      ? await findTracksDegrading(
          env,
          degraded,
          list.modelVersion,
          list.tracks.map((t) => t.trackId),
        )
      : null;
  return withoutDisliked(list, state.dislikes, (id) => tracks?.get(id)?.artistId ?? null);
}

/**
 * What one request reads once however many kinds it asks for (the listing asks for all of them):
 * the listener's session, the zone their clients sent, their history (which the daily mixes then
 * cluster once, keyed by this very array). A failed read is not kept: each kind reports it as
 * degraded, and the next request reads again.
 */
function oncePerRequest<T>() {
  const reads = new WeakMap<PlaylistRequest, { pseudonym: string; value: Promise<T> }>();
  return (request: PlaylistRequest, pseudonym: string, read: () => Promise<T>): Promise<T> => {
    const known = reads.get(request);
    if (known?.pseudonym === pseudonym) return known.value;
    const value = read();
    reads.set(request, { pseudonym, value });
    value.catch(() => reads.delete(request));
    return value;
  };
}

const requestHistory = oncePerRequest<HistoryEntry[]>();
const requestSession = oncePerRequest<SessionView>();
const requestZone = oncePerRequest<string | null>();

/** What generators read, gathered from the stores; null when there is no catalog to make a list from. */
async function playlistInput(
  env: Env,
  degraded: Degradation,
  pseudonym: string,
  version: string | null,
  request: PlaylistRequest,
  at: Pick<
    PlaylistInput,
    "now" | "seed" | "personalized" | "session" | "localHour" | "localWeekday" | "previousTracks"
  > & {
    region: string | null;
  },
): Promise<PlaylistInput | null> {
  if (!version) return null;
  const personal = at.personalized;
  const [browse, artifact, history, following, chart, published] = await Promise.all([
    degraded.read("kv", () => browseTracks(env, version), null),
    personal ? degraded.read("kv", () => listenerCandidates(env, version, pseudonym), null) : null,
    personal
      ? degraded.read("d1", () => requestHistory(request, pseudonym, () => listeningHistory(env.DB, pseudonym)), [])
      : [],
    personal
      ? degraded.read("session", async () => (await sessionOf(env, pseudonym).following()).map((f) => f.artistId), [])
      : [],
    topChart(env, at.region, CHART_LENGTH, degraded),
    degraded.read("kv", () => charts(env, version), null),
  ]);
  if (!browse || browse.size === 0) return null;
  const neighbourLists = new Map(
    await Promise.all(
      strongestTracks(history, NEIGHBOUR_SEEDS).map(async (id) => {
        const list = (await degraded.read("kv", () => similarTracks(env, version, id), null)) ?? [];
        return [id, list.map(([trackId, score]) => ({ trackId, score }))] as const;
      }),
    ),
  );
  // Generators pick by genre, artist or sound from the browse set; what the listener's own inputs name is read.
  const tracks = await requestTracks(
    env,
    degraded,
    version,
    [browse, artifact?.tracks, published?.tracks],
    [
      ...history.map((entry) => entry.trackId),
      ...(artifact?.candidates ?? []).flatMap(([trackId, , because]) => (because ? [trackId, because] : [trackId])),
      ...[...neighbourLists.values()].flatMap((list) => list.map((n) => n.trackId)),
      ...at.session.played,
      ...Object.keys(at.session.taste.tracks),
      ...(at.previousTracks ?? []),
    ],
  );
  return {
    now: at.now,
    seed: at.seed,
    personalized: personal,
    tracks,
    candidates: (artifact?.candidates ?? []).map(([trackId, score, because]) => ({
      trackId,
      score,
      source: "model" as const,
      ...(because ? { because } : {}),
    })),
    history,
    session: at.session,
    following: new Set(following),
    neighbours: (id) => neighbourLists.get(id) ?? [],
    activityPool: (activity) => activityPoolOf(browse, activity),
    chart: chart.trackIds,
    localHour: at.localHour,
    localWeekday: at.localWeekday,
    ...(at.previousTracks ? { previousTracks: at.previousTracks } : {}),
  };
}

/** The history tracks with the most evidence of taste, strongest first. */
function strongestTracks(history: readonly HistoryEntry[], count: number): string[] {
  return history
    .map((entry) => ({ id: entry.trackId, weight: evidenceWeight(entry) }))
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id))
    .slice(0, count)
    .map((entry) => entry.id);
}

/** A list a listener can play through or start a station from: one of their generated kinds or an own playlist. */
export interface PlayableList {
  title: string;
  periodKey: string;
  tracks: PlaylistTrack[];
  modelVersion: string | null;
}

/**
 * The list `id` names, generated (made or frozen for the period, as GET /v1/me/playlists/{kind}
 * answers it) or the listener's own; null when they have no such list, or none with tracks.
 */
export async function playableList(
  env: Env,
  pseudonym: string,
  id: string,
  request: PlaylistRequest,
): Promise<{ list: PlayableList | null; degraded: Store[] }> {
  if (isPlaylistKind(id)) {
    const { list, degraded } = await playlistFor(env, pseudonym, id, request);
    return { list: list && list.tracks.length > 0 ? list : null, degraded };
  }
  const degraded = new Degradation();
  const own = await degraded.read("session", () => sessionOf(env, pseudonym).ownPlaylist(id), null);
  const model = own ? await degraded.read("kv", () => currentModel(env), null) : null;
  const list: PlayableList | null =
    own && own.trackIds.length > 0
      ? {
          title: own.name,
          periodKey: OWN_PLAYLIST_PERIOD,
          tracks: own.trackIds.map((trackId) => ({
            trackId,
            reason: { code: "for_you", text: `In your playlist ${own.name}` },
          })),
          modelVersion: model?.version ?? null,
        }
      : null;
  return { list, degraded: degraded.stores };
}
