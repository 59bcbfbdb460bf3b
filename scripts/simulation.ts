/**
 * The listener simulator's driver: plays shared/simulator's listeners against a running network
 * through its public API only (the development app keys and listener tokens signed as
 * `npm run token` signs them), day by day. See the README's "Listener simulator" section for how
 * simulated days map to the service's real clock.
 */
import { parseRecommendationId } from "../shared/analytics/attribution";
import { DAY_MS } from "../shared/analytics/days";
import type { ExperimentResults, VariantResult } from "../shared/analytics/experiment-stats/results";
import type { Activity } from "../shared/catalog/types";
import {
  count,
  describe,
  emptyTally,
  MAX_SESSION_MS,
  planDay,
  SIM_SURFACES,
  SimSession,
  simulatedListeners,
  skipRate,
  type ServedTrack,
  type SessionOutcome,
  type SessionPlan,
  type SimEvent,
  type SimListener,
  type SimSurface,
  type Tally,
} from "../shared/simulator";
import { signListenerToken } from "../workers/edge/auth/listener-token";
import { DEV_KEYS, listenerTokenConfig } from "./dev-credentials";

const HOUR_MS = 3_600_000;
/** The last backdated day ends this long before the run starts, so its sessions are over by then. */
const BACKDATE_MARGIN_MS = MAX_SESSION_MS + 30 * 60_000;
/** The service refuses events more than 30 days old; a day of room for a long run. */
export const MAX_DAYS = 28;
const SERVED = 25;
const SPEAKER_TRACKS = 6;
const EVENTS_PER_REQUEST = 100;
const TOKEN_TTL_SECONDS = 6 * 3600;
const RESULTS_WAIT_MS = 120_000;
/** Longer than the consumer's batch timeout (2 s) and a session object's alarm: results unchanged over it have settled. */
const RESULTS_SETTLE_MS = 4_000;

export interface SimulationOptions {
  base: string;
  listeners: number;
  days: number;
  /** Experiments to start between the pre-days and the experiment days (they must exist, as drafts). */
  experiments?: readonly string[];
  /** Days before the experiments start (default: half the days, at least one). */
  preDays?: number;
  seed: number;
  concurrency: number;
  log?: (line: string) => void;
}

export interface DayReport {
  day: number;
  /** The calendar day (UTC) the day's window ends on. */
  when: string;
  tally: Tally;
  requests: number;
  ms: number;
}

export interface SimulationReport {
  days: DayReport[];
  bySurface: Record<SimSurface, Tally>;
  /** Sessions served under an experiment's variant (`<experiment>/<variant>`, from the recommendation id). */
  byVariant: Map<string, Tally>;
  /** Recommendation ids echoed in events, per listener, as sent. */
  echoed: Map<string, Set<string>>;
  /** Event ids sent, per listener. */
  sent: Map<string, string[]>;
  requests: number;
  wallMs: number;
  /** Per experiment, its start's answer, its results read after each experiment day, and at the end. */
  experiments: Map<string, ExperimentRun>;
}

/** GET /admin/experiments/{id}/results's answer. */
export type ResultsAnswer = ExperimentResults & { id: string; status: string };

export interface ExperimentRun {
  started: unknown;
  /** The daily peeks: the results as they stood after experiment day `day` (1-based, of the run). */
  peeks: { day: number; results: ResultsAnswer }[];
  results?: ResultsAnswer;
}

/** The service answered what the simulator cannot go on from. */
export class ApiError extends Error {}

/** The public API with the development keys: retries a 429 after its Retry-After, and a dropped connection. */
class Api {
  requests = 0;
  readonly #base: string;
  readonly #tokens = new Map<string, Promise<string>>();
  readonly #tracks = new Map<string, Promise<ServedTrack>>();

  readonly #heard: Map<string, ServedTrack>;
  #config: ReturnType<typeof listenerTokenConfig> | undefined;

  constructor(base: string, heard: Map<string, ServedTrack>) {
    this.#base = base;
    this.#heard = heard;
  }

  async call<T>(
    path: string,
    { key, listener, method = "GET", body }: { key: string; listener?: string; method?: string; body?: unknown },
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { "x-api-key": key };
    if (listener) headers.authorization = `Bearer ${await this.token(listener)}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    for (let attempt = 1; ; attempt++) {
      this.requests++;
      // A dropped connection, a 5xx (nothing was accepted) or a 429 is tried again: event ids make it safe.
      const answer = await fetch(`${this.#base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
        .then(
          async (res) => ({
            status: res.status,
            retryAfter: Number(res.headers.get("retry-after") ?? 0),
            text: await res.text(),
          }),
          (error: unknown) => ({ error }),
        )
        .catch((error: unknown) => ({ error }));
      const again =
        "error" in answer
          ? attempt < 5
          : (answer.status === 429 && attempt < 20) || (answer.status >= 500 && attempt < 5);
      if (again) {
        const retryAfter = "error" in answer ? 0 : answer.retryAfter;
        await new Promise((r) => setTimeout(r, retryAfter > 0 ? retryAfter * 1000 : 250 * attempt));
        continue;
      }
      if ("error" in answer) throw answer.error;
      return { status: answer.status, body: (answer.text ? JSON.parse(answer.text) : null) as T };
    }
  }

  /** A call that must answer 2xx. */
  async ok<T>(path: string, init: Parameters<Api["call"]>[1]): Promise<T> {
    const { status, body } = await this.call<T>(path, init);
    if (status < 200 || status > 299)
      throw new ApiError(`${init.method ?? "GET"} ${path}: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  token(listener: string): Promise<string> {
    let token = this.#tokens.get(listener);
    if (!token) {
      this.#config ??= listenerTokenConfig();
      token = this.#config.then((config) => signListenerToken(config, listener, TOKEN_TTL_SECONDS));
      this.#tokens.set(listener, token);
    }
    return token;
  }

  /** A track's genre and sound: heard, for a demo track, else asked once per run (GET /v1/tracks/{id}). */
  track(id: string): Promise<ServedTrack> {
    const heard = this.#heard.get(id);
    if (heard) return Promise.resolve(heard);
    let track = this.#tracks.get(id);
    if (!track) {
      track = this.ok<ApiTrack>(`/v1/tracks/${encodeURIComponent(id)}`, { key: DEV_KEYS.client.key }).then(toServed);
      track.catch(() => this.#tracks.delete(id));
      this.#tracks.set(id, track);
    }
    return track;
  }
}

interface ApiTrack {
  id: string;
  artist: { id: string };
  genre: string;
  durationMs: number;
  features: ServedTrack["features"];
}
const toServed = (t: ApiTrack): ServedTrack => ({
  id: t.id,
  artistId: t.artist.id,
  genre: t.genre,
  durationMs: t.durationMs,
  features: t.features,
});

/** The local time at `ms` in a listener's zone, as the API takes it (`2026-11-24T23:30:00+01:00`). */
export function localTimeAt(ms: number, utcOffsetMs: number): string {
  const local = new Date(ms + utcOffsetMs).toISOString().slice(0, 19);
  const sign = utcOffsetMs < 0 ? "-" : "+";
  const minutes = Math.abs(utcOffsetMs) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
}

interface Context {
  activity?: Activity;
  playlistId?: string;
  recommendationId?: string;
  source?: "recommendations" | "playlist" | "radio" | "speaker";
}

interface Served {
  tracks: ServedTrack[];
  context: Context;
}

const query = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))).toString();

/** One simulated day of one listener: its sessions, each served, played and reported. */
class ListenerDay {
  constructor(
    readonly api: Api,
    readonly bench: ReturnType<typeof simulatedListeners>,
    readonly report: SimulationReport,
    readonly runId: string,
  ) {}

  async run(listener: SimListener, day: number, dayEndMs: number, tally: Tally): Promise<void> {
    const plans = planDay(listener, dayEndMs);
    for (const [n, plan] of plans.entries()) {
      const { outcome, servedBy } = await this.session(listener, plan, `${day}-${n}`);
      count(tally, outcome);
      count(this.report.bySurface[plan.surface], outcome);
      const variant = servedBy && parseRecommendationId(servedBy)?.variant;
      if (variant) {
        if (!this.report.byVariant.has(variant)) this.report.byVariant.set(variant, emptyTally());
        count(this.report.byVariant.get(variant)!, outcome);
      }
    }
  }

  async session(
    listener: SimListener,
    plan: SessionPlan,
    name: string,
  ): Promise<{ outcome: SessionOutcome; servedBy: string | undefined }> {
    let servedBy: string | undefined;
    const session = new SimSession(listener, plan.activity, this.bench.artistIndex);
    const at = (atMs: number) => plan.startMs + atMs;
    const localTime = (atMs: number) => localTimeAt(at(atMs), listener.utcOffsetMs);
    let sent = 0;
    const send = async (context: Context) => {
      const fresh = session.events.slice(sent);
      sent += fresh.length;
      await this.post(listener, plan, context, fresh, at, name, sent - fresh.length);
    };
    if (plan.surface === "speaker") {
      for (let i = 0; i < SPEAKER_TRACKS && session.wantsMore; i++) {
        const next = await this.api.ok<{ trackId?: string; recommendationId?: string }>(
          `/v1/speaker/next?${query({ activity: plan.activity, localTime: localTime(session.clockMs) })}`,
          { key: DEV_KEYS.speaker.key, listener: listener.id },
        );
        if (!next.trackId) break;
        session.play(await this.api.track(next.trackId));
        // The speaker hears each track's events before it picks the next.
        await send({ source: "speaker", recommendationId: next.recommendationId });
        servedBy = next.recommendationId;
      }
      return { outcome: session.finish(), servedBy };
    }
    const served = await this.serve(listener, plan, localTime(0));
    for (const track of served.tracks) if (!session.play(track)) break;
    await send({ ...(plan.activity ? { activity: plan.activity } : {}), ...served.context });
    return { outcome: session.finish(), servedBy: served.context.recommendationId };
  }

  async serve(listener: SimListener, plan: SessionPlan, localTime: string): Promise<Served> {
    const asListener = { key: DEV_KEYS.client.key, listener: listener.id };
    const withFeatures = (items: { id: string }[]) => Promise.all(items.map((item) => this.api.track(item.id)));
    switch (plan.surface) {
      case "charts": {
        const chart = await this.api.ok<{ items: { id: string }[] }>(
          `/v1/charts/top?${query({ region: listener.region, limit: SERVED })}`,
          { key: DEV_KEYS.client.key },
        );
        return { tracks: await withFeatures(chart.items), context: {} };
      }
      case "playlist": {
        const kind = plan.activity
          ? `mix-${plan.activity}`
          : listener.random() < 0.5
            ? "daily-mix-1"
            : "discover-weekly";
        const { status, body } = await this.api.call<{ recommendationId: string; tracks: ApiTrack[] }>(
          `/v1/me/playlists/${kind}`,
          asListener,
        );
        // A kind the listener has no list of: it plays its recommendations instead.
        if (status === 404) return this.serve(listener, { ...plan, surface: "recommendations" }, localTime);
        if (status !== 200) throw new ApiError(`GET /v1/me/playlists/${kind}: ${status} ${JSON.stringify(body)}`);
        return {
          tracks: body.tracks.map(toServed),
          context: { source: "playlist", playlistId: kind, recommendationId: body.recommendationId },
        };
      }
      case "radio": {
        const { favouriteArtists } = listener.taste;
        const artist = this.bench.artistIds[favouriteArtists[0] ?? -1];
        const page = await this.api.ok<{ station: { id: string }; recommendationId: string; tracks: ApiTrack[] }>(
          `/v1/me/radio?${query({ seed: artist ? `artist:${artist}` : undefined, limit: SERVED })}`,
          asListener,
        );
        return {
          tracks: page.tracks.map(toServed),
          context: { source: "radio", playlistId: page.station.id, recommendationId: page.recommendationId },
        };
      }
      default: {
        const recs = await this.api.ok<{ recommendationId: string; items: { id: string }[] }>(
          `/v1/me/recommendations?${query({ limit: SERVED, device: plan.device, activity: plan.activity, localTime, region: listener.region })}`,
          asListener,
        );
        return {
          tracks: await withFeatures(recs.items),
          context: { source: "recommendations", recommendationId: recs.recommendationId },
        };
      }
    }
  }

  async post(
    listener: SimListener,
    plan: SessionPlan,
    context: Context,
    events: readonly SimEvent[],
    at: (atMs: number) => number,
    name: string,
    offset: number,
  ): Promise<void> {
    const sent = this.report.sent.get(listener.id) ?? [];
    this.report.sent.set(listener.id, sent);
    const body = events.map((e, i) => {
      const id = `sim-${this.runId}-${listener.id}-${name}-${offset + i}`;
      sent.push(id);
      return {
        id,
        trackId: e.trackId,
        type: e.type,
        timestamp: at(e.atMs),
        positionMs: e.positionMs,
        // How much of the track was heard, for listening time: a skip's or a completion's position.
        ...(e.type === "skip" || e.type === "complete" ? { msPlayed: e.positionMs } : {}),
        device: plan.device,
        ...(Object.keys(context).length > 0 ? { context } : {}),
      };
    });
    if (context.recommendationId && body.length > 0) {
      const echoed = this.report.echoed.get(listener.id) ?? new Set();
      echoed.add(context.recommendationId);
      this.report.echoed.set(listener.id, echoed);
    }
    for (let i = 0; i < body.length; i += EVENTS_PER_REQUEST) {
      await this.api.ok("/v1/events", {
        // The speaker's player reports through the listener's app, as the API's keys are made.
        key: DEV_KEYS.client.key,
        listener: listener.id,
        method: "POST",
        body: { events: body.slice(i, i + EVENTS_PER_REQUEST) },
      });
    }
  }
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const log = options.log ?? (() => {});
  const { days } = options;
  const experiments = options.experiments ?? [];
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new Error(`days must be 1-${MAX_DAYS}`);
  const preDays = experiments.length > 0 ? (options.preDays ?? Math.max(1, Math.floor(days / 2))) : days;
  if (experiments.length > 0 && (preDays < 1 || preDays >= days))
    throw new Error("an experiment needs pre-days in 1..days-1");

  const startedAt = Date.now();
  const bench = simulatedListeners(options.listeners, options.seed);
  const api = new Api(options.base, bench.heard);
  for (const id of experiments) {
    // A mistyped id fails now, not after the pre-days.
    const path = `/admin/experiments/${encodeURIComponent(id)}`;
    const found = await api.call(path, { key: DEV_KEYS.operator.key });
    if (found.status !== 200) throw new ApiError(`GET ${path}: ${found.status} ${JSON.stringify(found.body)}`);
  }
  const report: SimulationReport = {
    days: [],
    bySurface: Object.fromEntries(SIM_SURFACES.map((s) => [s, emptyTally()])) as Record<SimSurface, Tally>,
    byVariant: new Map(),
    echoed: new Map(),
    sent: new Map(),
    requests: 0,
    wallMs: 0,
    experiments: new Map(),
  };
  const runId = startedAt.toString(36);
  const listenerDay = new ListenerDay(api, bench, report, runId);
  const resultsOf = (id: string) =>
    api.call<ResultsAnswer>(`/admin/experiments/${encodeURIComponent(id)}/results`, { key: DEV_KEYS.operator.key });

  for (let day = 0; day < days; day++) {
    if (day === preDays) {
      for (const id of experiments) {
        const started = await api.call(`/admin/experiments/${encodeURIComponent(id)}/start`, {
          key: DEV_KEYS.operator.key,
          method: "POST",
        });
        log(`experiment ${id} start: ${started.status} ${JSON.stringify(started.body)}`);
        if (started.status < 200 || started.status > 299) throw new ApiError(`experiment ${id} did not start`);
        report.experiments.set(id, { started: started.body, peeks: [] });
      }
    }
    const dayStarted = Date.now();
    const requestsBefore = api.requests;
    // Every day is backdated, those after an experiment's start too: day d is the 24 hours ending
    // (days - 1 - d) days before the last one's end. The results order by arrival (see the README).
    const dayEndMs = startedAt - BACKDATE_MARGIN_MS - (days - 1 - day) * DAY_MS;
    const tally = emptyTally();
    await inPool(bench.listeners, options.concurrency, (listener) => listenerDay.run(listener, day, dayEndMs, tally));
    const dayReport: DayReport = {
      day: day + 1,
      when: new Date(dayEndMs - HOUR_MS).toISOString().slice(0, 10),
      tally,
      requests: api.requests - requestsBefore,
      ms: Date.now() - dayStarted,
    };
    report.days.push(dayReport);
    log(dayLine(dayReport, days));
    log(`  so far, ${servedVersusCharts(report.bySurface)}`);
    // The daily peek: the results as they stand, which the always-valid p allows reading every day.
    for (const [id, run] of day >= preDays ? report.experiments : []) {
      const peek = await resultsOf(id);
      if (peek.status !== 200) throw new ApiError(`results of ${id}: ${peek.status} ${JSON.stringify(peek.body)}`);
      run.peeks.push({ day: day + 1, results: peek.body });
      log(`  peek ${id}: ${primaryLine(peek.body)}`);
    }
  }

  for (const [id, run] of report.experiments) {
    // Exposures and sessions reach D1 through the session objects' outboxes and the queue: the
    // results are read once they count every listener the simulator saw served under a variant and
    // no longer change (or after a while).
    const exposed = new Set(
      [...report.echoed].flatMap(([listener, ids]) =>
        [...ids].some((rid) =>
          parseRecommendationId(rid)
            ?.variant?.split("+")
            .some((v) => v.startsWith(`${id}/`)),
        )
          ? [listener]
          : [],
      ),
    );
    const deadline = Date.now() + RESULTS_WAIT_MS;
    let previous = "";
    for (;;) {
      const answer = await resultsOf(id);
      if (answer.status !== 200)
        throw new ApiError(`results of ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
      const now = JSON.stringify(answer.body.variants);
      run.results = answer.body;
      if ((answer.body.listeners >= exposed.size && now === previous) || Date.now() > deadline) break;
      previous = now;
      await new Promise((r) => setTimeout(r, RESULTS_SETTLE_MS));
    }
    log(`experiment ${id}: the simulator saw ${exposed.size} listeners served under its variants`);
  }
  report.requests = api.requests;
  report.wallMs = Date.now() - startedAt;
  return report;
}

const percent = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined ? "n/a" : `${(100 * v).toFixed(digits)}%`;

/** A variant's primary metric against control: lift, its always-valid interval and p. */
function versusControl(results: ExperimentResults, v: VariantResult, metric = results.primaryMetric): string {
  const c = v.metrics[metric].vsControl;
  if (!c) return `${metric} n/a`;
  return `${metric} lift ${percent(c.lift)} [${percent(c.liftInterval[0])}, ${percent(c.liftInterval[1])}] p ${c.p.toPrecision(2)}`;
}

/** The daily peek's line: each variant's primary metric against control. */
export function primaryLine(results: ExperimentResults): string {
  const treatments = results.variants.filter((v) => !v.control);
  return `${results.listeners} listeners; ${treatments.map((v) => `${v.name}: ${versusControl(results, v)}`).join("; ")}; ${results.verdict.decision}`;
}

/** Per variant: listeners, skip rate, session length, and against control the lift with interval and p. */
export function resultLines(results: ExperimentResults): string[] {
  const minutes = (ms: number | null) => (ms === null ? "n/a" : `${(ms / 60_000).toFixed(1)} min`);
  return [
    ...results.variants.map((v) => {
      const figures =
        `${v.name}: ${v.listeners} listeners, skip rate ${percent(v.metrics.skipRate.mean)}, ` +
        `session length ${minutes(v.metrics.sessionLength.mean)}`;
      if (v.control) return `${figures} (control)`;
      const guardrails = v.guardrails.map((g) => `${g.metric} guardrail ${g.breached ? "BREACHED" : "ok"}`);
      return [
        figures,
        versusControl(results, v, "skipRate"),
        versusControl(results, v, "sessionLength"),
        ...guardrails,
      ].join("; ");
    }),
    `SRM p ${results.srm.p.toPrecision(3)}; verdict ${results.verdict.decision}${results.verdict.variant ? ` (${results.verdict.variant})` : ""}: ${results.verdict.reason}`,
  ];
}

/** The skip rate of the simulator's listeners served recommendations against served the charts. */
export function servedVersusCharts({ recommendations, charts }: Record<SimSurface, Tally>): string {
  return (
    `skip rate served recommendations ${(100 * skipRate(recommendations)).toFixed(1)}% (${recommendations.plays} plays) ` +
    `vs served the charts ${(100 * skipRate(charts)).toFixed(1)}% (${charts.plays} plays)`
  );
}

function dayLine({ day, when, tally, requests, ms }: DayReport, days: number): string {
  return `day ${day}/${days} (${when}): ${describe(tally)}  [${requests} requests, ${(ms / 1000).toFixed(1)} s]`;
}
