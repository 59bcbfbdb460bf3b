/**
 * `npm run import`: loads public data into a running Setlist through the operator import routes,
 * the same validation and row mapping for every source.
 *   --spotify FILE   Spotify audio-features CSV: catalog tracks
 *   --lastfm DIR     HetRec Last.fm 2K folder: artists become catalog items, user_artists play counts history
 *   --tsv FILE       listener<TAB>track<TAB>weight[<TAB>timestamp] history for tracks already in the catalog
 *   --port N         the port `npm start` was given (default: PORT, else 8787), or --url URL for another host
 *   --api-key KEY    an operator key (default: the development operator key)
 */
import { SingleBar, Presets } from "cli-progress";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MAX_IMPORT_ROWS } from "../shared/api/schemas";
import { DEFAULT_PORT, DEV_KEYS, localUrl } from "./dev-credentials";
import type { Track } from "../shared/catalog/types";
import { parseInteractionTsv } from "../shared/import/genericTsv";
import { hetrecCatalog, parseArtists } from "../shared/import/hetrec";
import { readInteractionFile, readSiblingHetrecTaggings } from "../shared/import/nodeFiles";
import type { RejectedRow } from "../shared/import/rows";
import { parseSpotifyFeatures } from "../shared/import/spotify";

const { values: args } = parseArgs({
  options: {
    spotify: { type: "string" },
    lastfm: { type: "string" },
    tsv: { type: "string" },
    port: { type: "string", default: DEFAULT_PORT },
    url: { type: "string" },
    "api-key": { type: "string", default: DEV_KEYS.operator.key },
  },
});

const base = args.url ?? localUrl(args.port);

interface Outcome {
  accepted: number;
  rejected: string[];
}

async function upload(kind: "tracks" | "interactions", rows: unknown[], label: string): Promise<Outcome> {
  const bar = new SingleBar(
    { format: `${label.padEnd(12)} [{bar}] {percentage}% {value}/{total} rows` },
    Presets.shades_classic,
  );
  const outcome: Outcome = { accepted: 0, rejected: [] };
  bar.start(rows.length, 0);
  for (let i = 0; i < rows.length; i += MAX_IMPORT_ROWS) {
    const chunk = rows.slice(i, i + MAX_IMPORT_ROWS);
    const res = await fetch(`${base}/admin/import/${kind}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": args["api-key"]! },
      body: JSON.stringify({ rows: chunk }),
    });
    if (!res.ok) throw new Error(`import of ${kind} failed: ${res.status} ${await res.text()}`);
    const result = (await res.json()) as {
      accepted: number;
      rejected: { index: number; errors: { path: string; message: string }[] }[];
    };
    outcome.accepted += result.accepted;
    for (const r of result.rejected) {
      outcome.rejected.push(`row ${i + r.index + 1}: ${r.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
    }
    bar.update(i + chunk.length);
  }
  bar.stop();
  return outcome;
}

function report(what: string, parsed: RejectedRow[], outcome: Outcome) {
  const reasons = [...parsed.map((r) => `line ${r.line}: ${r.reason}`), ...outcome.rejected];
  console.log(`${what}: ${outcome.accepted} rows accepted, ${reasons.length} rejected`);
  for (const reason of reasons.slice(0, 10)) console.log(`  rejected ${reason}`);
  if (reasons.length > 10) console.log(`  ... and ${reasons.length - 10} more`);
}

function lastfmCatalog(dir: string): { tracks: Track[]; rejected: RejectedRow[] } {
  const artists = parseArtists(readFileSync(join(dir, "artists.dat"), "utf8"));
  const taggings = readSiblingHetrecTaggings(join(dir, "user_artists.dat")) ?? [];
  return { tracks: hetrecCatalog(artists.rows, taggings), rejected: artists.rejected };
}

if (!args.spotify && !args.lastfm && !args.tsv) {
  console.error(
    "usage: npm run import -- (--spotify FILE | --lastfm DIR | --tsv FILE) [--port N | --url URL] [--api-key KEY]",
  );
  process.exit(2);
}
if (args.spotify) {
  const parsed = parseSpotifyFeatures(readFileSync(args.spotify, "utf8"));
  report(
    "spotify tracks",
    parsed.rejected,
    await upload(
      "tracks",
      parsed.rows.map((r) => r.track),
      "tracks",
    ),
  );
}
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
// The command is printed whole, with the key the import used, so it works as printed.
console.log(
  `done; run a retrain to learn from it:\n  curl -X POST ${base}/admin/retrain -H "x-api-key: ${args["api-key"]}"`,
);
