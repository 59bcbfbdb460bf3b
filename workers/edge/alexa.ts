import { actionOf } from "../../shared/alexa/intents";
import { servedBy } from "../../shared/analytics/attribution";
import { listeningEventOf, surfaceOf, type PlaybackReport } from "../../shared/alexa/events";
import { radioSeedOf } from "../../shared/alexa/radio-seed";
import type { AlexaRequest } from "../../shared/alexa/request";
import {
  clearQueue,
  playNext,
  playNow,
  skillResponse,
  stop,
  type Answer,
  type SkillResponse,
  type Stream,
} from "../../shared/alexa/response";
import { listName, sourceName, SPEECH } from "../../shared/alexa/speech";
import { decodeToken, encodeToken, stepInList, type PlaySource, type StreamToken } from "../../shared/alexa/token";
import { streamUrl } from "../../shared/catalog/stream";
import type { Activity } from "../../shared/catalog/types";
import type { PlaylistKind } from "../../shared/playlists";
import type { ListOrder } from "../../shared/playlists/progress";
import { checkListenerToken } from "./auth/listener-token";
import { overLimit, type OverLimit } from "./auth/rate-limit";
import { Degradation, findTracksDegrading } from "./degraded";
import type { Env } from "./env";
import { acceptEvents } from "./ingest";
import { listenerPseudonym, sessionOf } from "./listener";
import { browseTracks, currentModel } from "./model-store";
import { playlistFor } from "./playlists";
import { continueStation, startStation, stationOf } from "./radio";
import { recommend } from "./recommend";

/**
 * The Alexa skill behind POST /v1/speaker/alexa, for a request whose signature is verified. It plays
 * through the same session object, lists and recommendations as every other device: what Alexa
 * plays becomes the listener's events, so the next track adapts, and the app sees it playing.
 */

interface Listener {
  pseudonym: string;
  region: string | null;
  now: number;
}

/** The stream of a track: its URL, the token naming it and its source, and what a screen shows. */
async function streamOf(env: Env, source: PlaySource, trackId: string, offset = 0): Promise<Stream | null> {
  const degraded = new Degradation();
  const model = await degraded.read("kv", () => currentModel(env), null);
  const track = (await findTracksDegrading(env, degraded, model?.version ?? null, [trackId])).get(trackId);
  if (!track) return null;
  return {
    url: streamUrl(env.STREAM_BASE_URL, track.id),
    token: encodeToken({ source, trackId: track.id }),
    offsetInMilliseconds: offset,
    title: track.title,
    subtitle: track.artistName,
  };
}

/** The listener's list of `kind` for this period, in order, or null when the kind has none (yet). */
async function listOrder(env: Env, who: Listener, kind: PlaylistKind): Promise<ListOrder | null> {
  const answer = await playlistFor(env, who.pseudonym, kind, { now: who.now, region: who.region });
  const list = answer.list;
  return list && list.tracks.length > 0
    ? { periodKey: list.periodKey, trackIds: list.tracks.map((t) => t.trackId) }
    : null;
}

/**
 * One recommendation for the listener on a speaker, as GET /v1/speaker/next picks it, other than the
 * track playing (which the session knows of only once the device reports it started).
 */
async function recommended(
  env: Env,
  who: Listener,
  activity: Activity | null,
  playing: string | null = null,
): Promise<string | null> {
  const result = await recommend(env, who.pseudonym, {
    limit: 2,
    context: { device: "speaker", ...(activity ? { activity } : {}) },
    // The caller's country, as its lists use: its chart and its exploration pool.
    ...(who.region ? { region: who.region } : {}),
    now: who.now,
  });
  return result.items.find((item) => item.trackId !== playing)?.trackId ?? null;
}

/** The station's next track: one it served after `current` (the listener went back), else a new one. */
async function stationStep(env: Env, who: Listener, station: string, current: string, step: 1 | -1) {
  const state = await stationOf(env, who.pseudonym, station);
  if ("refused" in state) return null;
  const served = stepInList(
    state.served.map((t) => t.trackId),
    current,
    step,
  );
  if (served || step === -1) return served;
  const page = await continueStation(env, who.pseudonym, state, state.served.length, 1, who.now);
  return "refused" in page ? null : (page.page[0]?.track.id ?? null);
}

/** The track after (step 1) or before (-1) `current` in its source; a recommendation has no "before". */
async function stepFrom(env: Env, who: Listener, current: StreamToken, step: 1 | -1): Promise<Stream | null> {
  const { source } = current;
  if (source.kind === "for-you") {
    return step === 1 ? fromTrack(env, source, await recommended(env, who, source.activity, current.trackId)) : null;
  }
  if (source.kind === "radio") {
    return fromTrack(env, source, await stationStep(env, who, source.station, current.trackId, step));
  }
  const list = await listOrder(env, who, source.list);
  return fromTrack(env, source, list && stepInList(list.trackIds, current.trackId, step));
}

const fromTrack = (env: Env, source: PlaySource, trackId: string | null) =>
  trackId ? streamOf(env, source, trackId) : Promise.resolve(null);

const playing = (what: Parameters<typeof sourceName>[0], stream: Stream): Answer => ({
  speech: SPEECH.playing(sourceName(what), stream.title!, stream.subtitle!),
  directives: [playNow(stream)],
});

/**
 * Starts a station of the artist or genre asked for, as GET /v1/me/radio does: kept in the
 * listener's session object, so NearlyFinished goes on with it and the app sees the same station.
 */
async function startRadio(env: Env, who: Listener, asked: { artist: string | null; genre: string | null }) {
  if (!asked.artist && !asked.genre) return { speech: SPEECH.radioNotHeard, reprompt: SPEECH.reprompt };
  const notFound = { speech: SPEECH.noSuchStation((asked.artist ?? asked.genre)!) };
  const degraded = new Degradation();
  const model = await degraded.read("kv", () => currentModel(env), null);
  const tracks = model && (await degraded.read("kv", () => browseTracks(env, model.version), null));
  if (!tracks || tracks.size === 0) return { speech: SPEECH.nothingToPlay };
  const seed = radioSeedOf(asked, tracks.values());
  if (!seed) return notFound;
  const station = await startStation(env, who.pseudonym, seed, { now: who.now, region: who.region });
  if ("refused" in station) return notFound;
  const page = await continueStation(env, who.pseudonym, station, 0, 1, who.now);
  const first = "refused" in page ? null : (page.page[0]?.track.id ?? null);
  const stream = await fromTrack(env, { kind: "radio", station: station.id }, first);
  return stream ? playing({ title: station.title }, stream) : notFound;
}

/**
 * A list starts where the listener left off in it, on Alexa or any other device (as
 * GET /v1/speaker/next?playlist= does), and from the top once they have heard it all.
 */
async function startList(env: Env, who: Listener, kind: PlaylistKind): Promise<Answer | null> {
  const list = await listOrder(env, who, kind);
  if (!list) return null;
  const degraded = new Degradation();
  // Without the session object the list plays from the top rather than not at all.
  const position = await degraded.read(
    "session",
    () => sessionOf(env, who.pseudonym).nextInList(kind, list, who.now),
    0,
  );
  const source: PlaySource = { kind: "list", list: kind };
  const stream = await fromTrack(env, source, list.trackIds[position] ?? list.trackIds[0]!);
  return stream ? playing(source, stream) : null;
}

/** An activity plays its context mix where there is one, else recommendations for the activity. */
async function startForYou(env: Env, who: Listener, activity: Activity | null): Promise<Answer> {
  const mix = activity ? await startList(env, who, `mix-${activity}`) : null;
  if (mix) return mix;
  const source: PlaySource = { kind: "for-you", activity };
  const stream = await fromTrack(env, source, await recommended(env, who, activity));
  return stream ? playing(source, stream) : { speech: SPEECH.nothingToPlay };
}

/**
 * The model that chose a stream's track: a list's own, frozen with it (a week's Discover Weekly
 * outlives retrains), else the one serving now, as a stream plays within minutes of being served.
 */
async function modelOf(env: Env, who: Listener, source: PlaySource, current: string | null): Promise<string | null> {
  if (source.kind !== "list") return current;
  const { list } = await playlistFor(env, who.pseudonym, source.list, { now: who.now, region: who.region });
  return list ? list.modelVersion : current;
}

/**
 * Records a playback report as the listener's event, through the same door as POST /v1/events,
 * credited (context.recommendationId) to the stream's source, which the token Alexa hands back
 * names, and the model that chose it.
 */
async function record(env: Env, who: Listener, report: Omit<PlaybackReport, "recommendationId">): Promise<void> {
  const degraded = new Degradation();
  const model = await degraded.read("kv", () => currentModel(env), null);
  const source = report.stream.source;
  const served = servedBy(surfaceOf(source), await modelOf(env, who, source, model?.version ?? null), who.now);
  const event = await listeningEventOf({ ...report, ...served });
  if (!event) return;
  const known = await findTracksDegrading(env, degraded, model?.version ?? null, [event.trackId]);
  // A token naming a track the catalog no longer has: nothing to learn from.
  if (known.has(event.trackId)) await acceptEvents(env, who.pseudonym, [event], known, who.region, who.now);
}

async function answerFor(env: Env, alexa: AlexaRequest, who: Listener): Promise<Answer> {
  const request = alexa.request;
  const action = actionOf(request);
  const player = alexa.context.AudioPlayer;
  const current = decodeToken(player?.token);
  switch (action.type) {
    case "launch":
      return { speech: SPEECH.welcome, reprompt: SPEECH.reprompt };
    case "help":
      return { speech: SPEECH.help, reprompt: SPEECH.reprompt };
    case "not-understood":
      return { speech: SPEECH.notUnderstood, reprompt: SPEECH.reprompt };
    case "unsupported":
      return { speech: SPEECH.unsupported(action.what) };
    case "no-such-mix":
      return { speech: SPEECH.noSuchMix(action.number), reprompt: SPEECH.reprompt };
    case "play-radio":
      return startRadio(env, who, action);
    case "play-list":
      return (await startList(env, who, action.list)) ?? { speech: SPEECH.notReady(listName(action.list)) };
    case "play-for-you":
      return startForYou(env, who, action.activity);
    case "pause":
      return { directives: [stop()] };
    case "stop":
      return { directives: [clearQueue()] };
    case "resume":
    case "start-over": {
      const offset = action.type === "resume" ? (player?.offsetInMilliseconds ?? 0) : 0;
      const stream = current && (await streamOf(env, current.source, current.trackId, offset));
      return stream ? { directives: [playNow(stream)] } : { speech: SPEECH.nothingPlaying, reprompt: SPEECH.reprompt };
    }
    case "next":
    case "previous": {
      if (!current) return { speech: SPEECH.nothingPlaying, reprompt: SPEECH.reprompt };
      const stream =
        (await stepFrom(env, who, current, action.type === "next" ? 1 : -1)) ??
        // Before the first track (or a recommendation, which has no "before"), previous starts the track over.
        (action.type === "previous" ? await streamOf(env, current.source, current.trackId) : null);
      if (stream) return { directives: [playNow(stream)] };
      return {
        speech: current.source.kind === "list" ? SPEECH.endOfList(listName(current.source.list)) : SPEECH.nothingToPlay,
      };
    }
    case "playback": {
      if (!("token" in request)) return {};
      const stream = decodeToken(request.token);
      if (!stream) return {};
      await record(env, who, {
        event: action.event,
        requestId: request.requestId,
        timestamp: request.timestamp,
        offsetInMilliseconds: request.offsetInMilliseconds,
        stream,
      });
      // A stream that fails is passed over, so the music goes on.
      if (action.event !== "failed") return {};
      const next = await stepFrom(env, who, stream, 1);
      return next ? { directives: [playNow(next)] } : {};
    }
    case "nearly-finished": {
      const token = "token" in request ? request.token : undefined;
      const stream = decodeToken(token);
      const next = stream && (await stepFrom(env, who, stream, 1));
      return next && token ? { directives: [playNext(next, token)] } : {};
    }
    case "none":
      return {};
  }
}

/**
 * The listener is the one whose Setlist account is linked: Alexa forwards the access token the
 * account linking issued, which is the listener token of every other route. Without a valid one,
 * spoken requests get a LinkAccount card; playback reports (which cannot carry speech) get nothing.
 */
export async function answerAlexa(
  env: Env,
  alexa: AlexaRequest,
  region: string | null,
): Promise<SkillResponse | { limited: OverLimit }> {
  const request = alexa.request;
  if (actionOf(request).type === "none") return skillResponse(request, {});
  const token = alexa.context.System.user?.accessToken;
  const check = token ? await checkListenerToken(env, token) : null;
  if (!check || "rejected" in check) return skillResponse(request, { speech: SPEECH.linkAccount, linkAccount: true });
  const pseudonym = await listenerPseudonym(env, check.listener);
  const limited = await overLimit(env, "LISTENER_RATE_LIMIT", `listener:${pseudonym}`, "listener");
  if (limited) return { limited };
  const answer = await answerFor(env, alexa, { pseudonym, region, now: Date.now() });
  return skillResponse(request, answer);
}
