/**
 * `npm run import`: loads public data into a running Setlist through the operator import routes,
 * the same validation and row mapping for every source.
 *   --spotify FILE   Spotify audio-features CSV: catalog tracks
 *   --lastfm DIR     HetRec Last.fm 2K folder: artists become catalog items, user_artists play counts history
 *   --tsv FILE       listener<TAB>track<TAB>weight[<TAB>timestamp] history for tracks already in the catalog
 *   --synthetic-listening N   N synthetic play events written straight into D1 as raw events (a bulk
 *                    backfill, shared/import/synthetic-listening.ts) over the catalog's first --items tracks
 *                    (default 10,000) by --listeners listeners (default N / 250), --seed S (default 1)
 *   --port N         the port `npm start` was given (default: PORT, else 8787), or --url URL for another host
 *   --api-key KEY    an operator key (default: the development operator key)
 */
import { SingleBar, Presets } from "cli-progress";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MAX_IMPORT_ROWS, MAX_SYNTHETIC_EVENTS_PER_REQUEST } from "../shared/api/schemas";
import { DEFAULT_PORT, DEV_KEYS, localUrl } from "./dev-credentials";
import type { Track } from "../shared/catalog/types";
import { parseInteractionTsv } from "../shared/import/genericTsv";
import { hetrecCatalog, parseArtists } from "../shared/import/hetrec";
import { readInteractionFile, readSiblingHetrecTaggings } from "../shared/import/nodeFiles";
import type { RejectedRow } from "../shared/import/rows";
import { SpotifyFeaturesReader } from "../shared/import/spotify";

const { values: args } = parseArgs({
  options: {
    spotify: { type: "string" },
    lastfm: { type: "string" },
    tsv: { type: "string" },
    "synthetic-listening": { type: "string" },
    listeners: { type: "string" },
    items: { type: "string" },
    seed: { type: "string", default: "1" },
    port: { type: "string", default: DEFAULT_PORT },
    url: { type: "string" },
    "api-key": { type: "string", default: DEV_KEYS.operator.key },
  },
});

const base = args.url ?? localUrl(args.port);

/** What an upload came to; only the first few reasons for rejection are kept, however many rows there are. */
class Outcome {
  accepted = 0;
  rejected = 0;
  readonly reasons: string[] = [];

  reject(reason: string) {
    if (this.rejected++ < 10) this.reasons.push(reason);
  }
}

/** Requests in flight at once: the route validates one while D1 writes another. */
const UPLOADS_IN_FLIGHT = 4;

/**
 * Rows sent to an import route as they come, in requests of MAX_IMPORT_ROWS, a few at a time; `add`
 * waits while that many are in flight, so a stream of any length holds only those.
 */
class Upload {
  readonly outcome = new Outcome();
  #pending: unknown[] = [];
  #sent = 0;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly kind: "tracks" | "interactions",
    private readonly progress: (rowsDone: number) => void,
  ) {}

  async add(rows: readonly unknown[]) {
    for (const row of rows) {
      this.#pending.push(row);
      if (this.#pending.length === MAX_IMPORT_ROWS) await this.#send();
    }
  }

  async done(): Promise<Outcome> {
    if (this.#pending.length > 0) await this.#send();
    await Promise.all(this.#inFlight);
    return this.outcome;
  }

  async #send() {
    const rows = this.#pending;
    const first = this.#sent;
    this.#pending = [];
    this.#sent += rows.length;
    const request = this.#post(rows, first).finally(() => this.#inFlight.delete(request));
    this.#inFlight.add(request);
    if (this.#inFlight.size >= UPLOADS_IN_FLIGHT) await Promise.race(this.#inFlight);
  }

  async #post(rows: unknown[], first: number) {
    const res = await fetch(`${base}/admin/import/${this.kind}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": args["api-key"]! },
      body: JSON.stringify({ rows }),
    });
    if (!res.ok) throw new Error(`import of ${this.kind} failed: ${res.status} ${await res.text()}`);
    const result = (await res.json()) as {
      accepted: number;
      rejected: { index: number; errors: { path: string; message: string }[] }[];
    };
    this.outcome.accepted += result.accepted;
    for (const r of result.rejected) {
      this.outcome.reject(`row ${first + r.index + 1}: ${r.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
    }
    this.progress(this.outcome.accepted + this.outcome.rejected);
  }
}

const progressBar = (label: string, unit: string) =>
  new SingleBar(
    { format: `${label.padEnd(12)} [{bar}] {percentage}% {value}/{total} ${unit}` },
    Presets.shades_classic,
  );

async function upload(kind: "tracks" | "interactions", rows: unknown[], label: string): Promise<Outcome> {
  const bar = progressBar(label, "rows");
  bar.start(rows.length, 0);
  const sending = new Upload(kind, (done) => bar.update(done));
  await sending.add(rows);
  const outcome = await sending.done();
  bar.stop();
  return outcome;
}

function report(what: string, parsed: RejectedRow[], outcome: Outcome) {
  const rejected = parsed.length + outcome.rejected;
  console.log(`${what}: ${outcome.accepted} rows accepted, ${rejected} rejected`);
  const reasons = [...parsed.slice(0, 10).map((r) => `line ${r.line}: ${r.reason}`), ...outcome.reasons].slice(0, 10);
  for (const reason of reasons) console.log(`  rejected ${reason}`);
  if (rejected > 10) console.log(`  ... and ${rejected - 10} more`);
}

/**
 * The features CSV streamed from disk into the import, so a catalog of millions of tracks needs neither
 * the file nor its rows in memory; prints the time it took and rows/s.
 */
async function importSpotify(file: string) {
  const started = performance.now();
  const bar = progressBar("tracks", "bytes");
  bar.start(statSync(file).size, 0);
  const reader = new SpotifyFeaturesReader();
  const sending = new Upload("tracks", () => {});
  const parseRejected: RejectedRow[] = [];
  let parseRejectedCount = 0;
  const take = async ({ rows, rejected }: ReturnType<SpotifyFeaturesReader["push"]>) => {
    parseRejectedCount += rejected.length;
    parseRejected.push(...rejected.slice(0, Math.max(0, 10 - parseRejected.length)));
    await sending.add(rows.map((r) => r.track));
  };
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    await take(reader.push(chunk as string));
    bar.update(stream.bytesRead);
  }
  await take(reader.end());
  const outcome = await sending.done();
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  report("spotify tracks", parseRejected, outcome);
  if (parseRejectedCount > parseRejected.length)
    console.log(`  (${parseRejectedCount} lines rejected by the parser in all)`);
  console.log(`  ${seconds.toFixed(1)} s, ${Math.round((outcome.accepted + outcome.rejected) / seconds)} rows/s`);
}

function lastfmCatalog(dir: string): { tracks: Track[]; rejected: RejectedRow[] } {
  const artists = parseArtists(readFileSync(join(dir, "artists.dat"), "utf8"));
  const taggings = readSiblingHetrecTaggings(join(dir, "user_artists.dat")) ?? [];
  return { tracks: hetrecCatalog(artists.rows, taggings), rejected: artists.rejected };
}

/** Parts are written two at a time: one is generated while D1 writes the other. */
const PARTS_IN_FLIGHT = 2;

async function syntheticListening(events: number) {
  const listeners = args.listeners ? Number(args.listeners) : Math.max(1, Math.round(events / 250));
  const run = { events, listeners, seed: Number(args.seed), items: args.items ? Number(args.items) : undefined };
  // A part written again adds nothing, so one the runtime dropped (a reload, a 503) is simply sent again.
  const part = async (
    from: number,
    fixed: { items: number; endAt: number } | object,
    attempt = 1,
  ): Promise<{ written: number; newListeners: number; items: number; endAt: number }> => {
    const res = await fetch(`${base}/admin/import/synthetic-listening`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": args["api-key"]! },
      body: JSON.stringify({
        ...run,
        ...fixed,
        from,
        count: Math.min(MAX_SYNTHETIC_EVENTS_PER_REQUEST, events - from),
      }),
    }).catch((error: unknown) => error as Error);
    if ((res instanceof Error || res.status >= 500) && attempt < 5) {
      await new Promise((r) => setTimeout(r, 2000 * attempt));
      return part(from, fixed, attempt + 1);
    }
    if (res instanceof Error) throw res;
    if (!res.ok) throw new Error(`synthetic listening failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as { written: number; newListeners: number; items: number; endAt: number };
  };
  const bar = new SingleBar(
    { format: `${"listening".padEnd(12)} [{bar}] {percentage}% {value}/{total} events` },
    Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(events, 0);
  // The first part fixes what every other part must use (the tracks played and the run's end time).
  const first = await part(0, {});
  const fixed = { items: first.items, endAt: first.endAt };
  let written = first.written,
    newListeners = first.newListeners,
    next = MAX_SYNTHETIC_EVENTS_PER_REQUEST,
    done = Math.min(events, MAX_SYNTHETIC_EVENTS_PER_REQUEST);
  bar.update(done);
  const worker = async () => {
    while (next < events) {
      const from = next;
      next += MAX_SYNTHETIC_EVENTS_PER_REQUEST;
      const result = await part(from, fixed);
      written += result.written;
      newListeners += result.newListeners;
      done += Math.min(MAX_SYNTHETIC_EVENTS_PER_REQUEST, events - from);
      bar.update(done);
    }
  };
  await Promise.all(Array.from({ length: PARTS_IN_FLIGHT }, worker));
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `synthetic listening: ${events} events by ${listeners} listeners over ${first.items} tracks; ` +
      `${written} rows new in D1 (${newListeners} listeners) in ${seconds.toFixed(1)} s, ${Math.round(events / seconds)} rows/s`,
  );
}

if (!args.spotify && !args.lastfm && !args.tsv && !args["synthetic-listening"]) {
  console.error(
    "usage: npm run import -- (--spotify FILE | --lastfm DIR | --tsv FILE | --synthetic-listening N [--listeners L] [--items I] [--seed S]) [--port N | --url URL] [--api-key KEY]",
  );
  process.exit(2);
}
if (args.spotify) await importSpotify(args.spotify);
if (args.lastfm) {
  const catalog = lastfmCatalog(args.lastfm);
  report("last.fm artists", catalog.rejected, await upload("tracks", catalog.tracks, "artists"));
  const plays = readInteractionFile(join(args.lastfm, "user_artists.dat"));
  const rows = plays.rows.map((r) => ({ listener: `lfm-u${r.listener}`, trackId: `lfm-${r.item}`, weight: r.weight }));
  report("last.fm plays", plays.rejected, await upload("interactions", rows, "plays"));
}
if (args.tsv) {
  const plays = parseInteractionTsv(readFileSync(args.tsv, "utf8"));
  const rows = plays.rows.map((r) => ({
    listener: r.listener,
    trackId: r.item,
    weight: r.weight,
    timestamp: r.timestamp,
  }));
  report("interactions", plays.rejected, await upload("interactions", rows, "interactions"));
}
if (args["synthetic-listening"]) await syntheticListening(Number(args["synthetic-listening"]));
// The command is printed whole, with the key the import used, so it works as printed.
console.log(
  `done; run a retrain to learn from it:\n  curl -X POST ${base}/admin/retrain -H "x-api-key: ${args["api-key"]}"`,
);
