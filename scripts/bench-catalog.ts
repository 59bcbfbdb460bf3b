/**
 * A synthetic catalog of `size` tracks published into a local network's storage, for
 * `npm run bench -- --catalog N`: the tracks go into D1 and the version's catalog artefacts are written by
 * the publisher's own functions (workers/retrainer/catalog-publish.ts) through the runtime's bindings
 * (wrangler's platform proxy on the storage the network then starts on). No model is trained at that
 * size: the listeners' candidates (300 each, drawn with a skew to popular tracks) and the neighbour lists
 * of the tracks the bench asks about are drawn, and written in the published formats.
 *
 * Storage kept from an earlier run is reused: tracks already in D1 are not written again, and a version
 * published by the same publishing code (PUBLISHING_SOURCES, by content) is served as it is.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getPlatformProxy } from "wrangler";
import { trackRow } from "../shared/db/rows";
import { bulkInsertStatements } from "../shared/db/bulk";
import { tracks } from "../shared/db/schema";
import { pseudonymize } from "../shared/identity";
import type { Track } from "../shared/catalog/types";
import {
  artifactKey,
  type CatalogRow,
  CURRENT_MODEL_KEY,
  similarShardCount,
  similarShardOf,
  type ListenerArtifact,
  type SimilarEntry,
} from "../shared/publish/artifacts";
import { encodeKeyedLines } from "../shared/publish/keyed-lines";
import { seededRandom } from "../shared/util/random";
import {
  browseSet,
  catalogRows,
  catalogShardEntries,
  catalogShardParts,
  indexWholeCatalog,
  popularityById,
  writeCatalogDigest,
} from "../workers/retrainer/catalog-publish";
import type { Env } from "../workers/retrainer/env";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const GENRES = ["pop", "rock", "hip-hop", "electronic", "jazz", "classical", "folk", "metal", "r&b", "country"];
const CANDIDATES = 300;
const NEIGHBOURS = 50;
/** D1 statements a batch, KV writes at once: enough to keep the proxy busy, few enough to bound memory. */
const BATCH = 20;
const PUTS_AT_ONCE = 64;

/** The files that decide what a published version holds: a change to any of them publishes anew. */
const PUBLISHING_SOURCES = [
  "scripts/bench-catalog.ts",
  "shared/publish/artifacts.ts",
  "shared/publish/catalog-layout.ts",
  "shared/publish/keyed-lines.ts",
  "workers/retrainer/catalog-publish.ts",
];

/** What a finished publication records in its storage, so a later run can serve it without publishing. */
interface PublishedRecord {
  size: number;
  listeners: number;
  publishing: string;
  catalog: SyntheticCatalog;
}

const publishingDigest = () =>
  createHash("sha256")
    .update(PUBLISHING_SOURCES.map((file) => readFileSync(resolve(root, file), "utf8")).join("\0"))
    .digest("hex");

export const syntheticTrackId = (n: number) => `syn-${String(n).padStart(7, "0")}`;

function syntheticTrack(n: number, random: () => number): Track {
  const artist = Math.floor(n / 12);
  return {
    id: syntheticTrackId(n),
    title: `Synthetic ${n}`,
    artistId: `syn-art-${artist}`,
    artistName: `Artist ${artist}`,
    albumId: `syn-alb-${Math.floor(n / 4)}`,
    albumTitle: `Album ${Math.floor(n / 4)}`,
    genre: GENRES[artist % GENRES.length]!,
    releaseDate: `20${String(10 + (n % 16)).padStart(2, "0")}-0${1 + (n % 9)}-1${n % 10}`,
    features: {
      tempo: 60 + random() * 120,
      energy: random(),
      valence: random(),
      danceability: random(),
      acousticness: random(),
      instrumentalness: random(),
      speechiness: random() * 0.3,
      loudness: -30 + random() * 28,
      key: Math.floor(random() * 12),
      mode: random() < 0.5 ? 0 : 1,
      durationMs: 120_000 + Math.floor(random() * 240_000),
    },
  };
}

/** A track drawn with a Zipf-like skew: low numbers (the popular ones) far more often. */
const skewed = (random: () => number, size: number) => Math.floor(size * random() ** 3);

export interface SyntheticCatalog {
  version: string;
  /** The tracks whose neighbour lists were written: the ones to ask for similar tracks. */
  askedTracks: string[];
}

export async function publishSyntheticCatalog(
  persistTo: string,
  size: number,
  rawListeners: string[],
  log: (line: string) => void,
): Promise<SyntheticCatalog> {
  const recordFile = resolve(persistTo, "synthetic-catalog.json");
  const publishing = publishingDigest();
  if (existsSync(recordFile)) {
    const record = JSON.parse(readFileSync(recordFile, "utf8")) as PublishedRecord;
    if (record.size === size && record.listeners === rawListeners.length && record.publishing === publishing) {
      log(`${record.catalog.version} found in ${persistTo}, published by the same code: not published again`);
      return record.catalog;
    }
  }
  // Gone until this publication is whole, so a run that dies half way is not taken for a finished one.
  rmSync(recordFile, { force: true });
  const migrate = spawnSync(
    resolve(root, "node_modules/.bin/wrangler"),
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo, "-c", "wrangler.toml"],
    { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" }, encoding: "utf8" },
  );
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}`);
  // The edge's config: the same D1 database and KV namespace as the retrainer's, and the listener key of .dev.vars.
  const proxy = await getPlatformProxy<Env & { LISTENER_ID_KEY: string }>({
    configPath: resolve(root, "wrangler.toml"),
    persist: { path: resolve(persistTo, "v3") },
  });
  try {
    const env = proxy.env;
    const listenerIdKey = env.LISTENER_ID_KEY;
    const version = `synthetic-${size}`;
    const started = Date.now();
    const items = Array.from({ length: size }, (_, n) => syntheticTrackId(n));
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM tracks").first<{ n: number }>();
    if (stored?.n === size) log(`${size} tracks found in D1`);
    else {
      const features = seededRandom(17);
      for (let from = 0; from < size; from += 20_000) {
        const chunk: Track[] = [];
        for (let n = from; n < Math.min(size, from + 20_000); n++) chunk.push(syntheticTrack(n, features));
        const statements = bulkInsertStatements(env.DB, tracks, chunk.map(trackRow), "ignore");
        for (let s = 0; s < statements.length; s += BATCH) await env.DB.batch(statements.slice(s, s + BATCH));
      }
      log(`${size} tracks into D1 in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    const random = seededRandom(18);

    const listeners = await Promise.all(rawListeners.map((id) => pseudonymize(listenerIdKey, id)));
    const index = { listeners, items };
    // Listeners per track as a trained model would count them: skewed to the low numbers.
    const listenersPerTrack = Float64Array.from(items, (_, n) => Math.floor(1_000 / (1 + n / 50)));
    const similarShards = similarShardCount(size);
    const putAll = async (entries: [string, string][]) => {
      for (let i = 0; i < entries.length; i += PUTS_AT_ONCE) {
        await Promise.all(entries.slice(i, i + PUTS_AT_ONCE).map(([key, value]) => env.MODELS.put(key, value)));
      }
    };
    const publishStarted = Date.now();
    const published = await indexWholeCatalog(env, `bench-catalog/${version}/`);
    const popularity = popularityById(index, listenersPerTrack);
    await writeCatalogDigest(env, version, published, index, listenersPerTrack, similarShards, Date.now());
    const parts = catalogShardParts(published.plan);
    for (let part = 0; part < parts; part++) {
      await putAll(await catalogShardEntries(env, version, published, popularity, part));
    }
    log(`catalog published in ${((Date.now() - publishStarted) / 1000).toFixed(0)} s (${parts} parts of shards)`);

    // Candidates: what the model's listener parts write, with the rows of those outside the browse set.
    const inBrowse = browseSet(listenersPerTrack);
    const drawn = listeners.map(() => {
      const chosen = new Set<number>();
      while (chosen.size < CANDIDATES) chosen.add(skewed(random, size));
      return [...chosen];
    });
    const outside = [...new Set(drawn.flat())].filter((item) => !inBrowse[item]);
    const rowOf = new Map<number, CatalogRow>();
    for (let i = 0; i < outside.length; i += 20_000) {
      const slice = outside.slice(i, i + 20_000);
      const rows = await catalogRows(
        env.DB,
        slice.map((item) => items[item]!),
        popularity,
      );
      slice.forEach((item, n) => rowOf.set(item, rows[n]!));
    }
    await putAll(
      listeners.map((listener, l) => {
        const candidates = drawn[l]!;
        const artifact: ListenerArtifact = {
          candidates: candidates.map((item, rank) => [items[item]!, 1 - rank / CANDIDATES, null]),
          heard: [],
          rows: candidates.flatMap((item) => (rowOf.has(item) ? [rowOf.get(item)!] : [])),
        };
        return [artifactKey.listener(version, listener), JSON.stringify(artifact)];
      }),
    );
    // Neighbour lists for the tracks the bench asks about, in their shards.
    const askedTracks = Array.from({ length: 2_000 }, () => items[skewed(random, size)]!);
    const shards = new Map<number, Map<string, SimilarEntry>>();
    for (const id of askedTracks) {
      const shard = similarShardOf(id, similarShards);
      const lists = shards.get(shard) ?? new Map<string, SimilarEntry>();
      lists.set(id, [
        id,
        Array.from({ length: NEIGHBOURS }, (_, n) => [items[skewed(random, size)]!, 1 - n / NEIGHBOURS]),
      ]);
      shards.set(shard, lists);
    }
    await putAll(
      [...shards].map(([shard, lists]) => [
        artifactKey.similarShard(version, shard),
        encodeKeyedLines([...lists.values()]),
      ]),
    );
    await env.MODELS.put(CURRENT_MODEL_KEY, JSON.stringify({ version, publishedAt: Date.now() }));
    log(`listeners' candidates and ${shards.size} neighbour-list shards written; ${version} is live`);
    const catalog = { version, askedTracks };
    const record: PublishedRecord = { size, listeners: rawListeners.length, publishing, catalog };
    writeFileSync(recordFile, JSON.stringify(record));
    return catalog;
  } finally {
    await proxy.dispose();
  }
}
