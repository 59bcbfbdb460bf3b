import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { listenerRow, trackRow } from "../../shared/db/rows";
import { events, listeners, tracks } from "../../shared/db/schema";
import { generateDemoCatalog } from "../../shared/demo";
import {
  artifactKey,
  CURRENT_MODEL_KEY,
  type CatalogTrack,
  type ListenerArtifact,
} from "../../shared/publish/artifacts";
import {
  catalogShardOf,
  EXPLORATION_POOLS,
  explorationPoolOf,
  EXPLORATION_POOL_TRACKS,
} from "../../shared/publish/catalog-layout";
import { MIN_CROWD } from "../../shared/crowd";
import {
  browseTracks,
  catalogTracks,
  charts,
  explorationTracks,
  versionManifest,
} from "../../workers/edge/model-store";
import { topChart } from "../../workers/edge/charts";
import type { Env } from "../../workers/edge/env";
import { Degradation } from "../../workers/edge/degraded";
import { recommend } from "../../workers/edge/recommend";
import {
  catalogShardEntries,
  indexWholeCatalog,
  popularityById,
  writeCatalogDigest,
} from "../../workers/retrainer/catalog-publish";
import { asListener, edge, json, jsonBody, pseudonymOf, waitFor } from "./helpers";

const demo = generateDemoCatalog(11).tracks.slice(0, 300);
const catalogTracksOf: CatalogTrack[] = demo.map((t) => ({ ...t, popularity: 0.5 }));
const index = { listeners: ["listener-a"], items: demo.map((t) => t.id) };
const listenersPerTrack = Float64Array.from(demo, (_, i) => i % 7);

/**
 * A version as the publisher writes it, through its own functions: the tracks in D1, the digest (manifest,
 * browse set, exploration pools, charts), every catalog shard, and the pointer last. `untrained` tracks
 * are in D1 but not in the model's index, as tracks nobody has played yet.
 */
async function publish(version: string, extra: CatalogTrack[] = [], untrained: CatalogTrack[] = []) {
  const all = [...demo, ...extra];
  await env.DB.batch(bulkInsertStatements(env.DB, tracks, [...all, ...untrained].map(trackRow), "ignore"));
  const at = { listeners: index.listeners, items: all.map((t) => t.id) };
  const counts = Float64Array.from(all, (_, i) => listenersPerTrack[i] ?? 1);
  const catalog = await indexWholeCatalog(env, `catalog-test/${version}/`);
  await writeCatalogDigest(env, version, catalog, at, counts, 0, Date.now());
  for (const [key, value] of await catalogShardEntries(env, version, catalog, popularityById(at, counts), 0))
    await env.MODELS.put(key, value);
  await env.MODELS.put(CURRENT_MODEL_KEY, JSON.stringify({ version, publishedAt: Date.now() }));
}

/** The env with its models namespace counting the keys read (one by one or in bulk), to show what a request reads. */
function countingReads(): { env: typeof env; read: string[] } {
  const read: string[] = [];
  const models = env.MODELS;
  const counting = {
    get: (key: string | string[], type?: never) => {
      read.push(...[key].flat());
      return models.get(key as string, type);
    },
  } as unknown as KVNamespace;
  return { env: { ...env, MODELS: counting }, read };
}

describe("the edge's copy of a version's artefacts", () => {
  it("reads a missing manifest again on a later request, and keeps a present one", async () => {
    const version = "v-store-manifest";
    // The pointer can be seen before the artefact it names (KV is eventually consistent).
    expect(await versionManifest(env, version)).toBeNull();
    await publish(version);
    expect(await versionManifest(env, version)).toMatchObject({ tracks: demo.length, catalogShards: 5 });
    // Once read, a version's artefacts are held for its life: KV is not asked again.
    await env.MODELS.delete(artifactKey.manifest(version));
    expect(await versionManifest(env, version)).toMatchObject({ tracks: demo.length });
  });

  it("reads only the catalog shards holding the tracks asked for, once each", async () => {
    const version = "v-store-shards";
    await publish(version);
    const asked = [demo[3]!.id, demo[140]!.id, "not-a-track"];
    const { env: counted, read } = countingReads();
    const found = await catalogTracks(counted, version, asked);
    expect([...found.keys()].sort()).toEqual([demo[3]!.id, demo[140]!.id].sort());
    expect(found.get(demo[3]!.id)).toMatchObject({ title: demo[3]!.title, popularity: 3 / 6 });
    const shardKeys = [...new Set(asked.map((id) => artifactKey.catalogShard(version, catalogShardOf(id, 5))))];
    expect(read.sort()).toEqual([artifactKey.manifest(version), ...shardKeys].sort());
    // A version's shards never change: asked again, the isolate answers from what it holds.
    read.length = 0;
    for (const key of shardKeys) await env.MODELS.delete(key);
    expect((await catalogTracks(counted, version, asked)).size).toBe(2);
    expect(read).toEqual([]);
  });

  it("publishes every track of the catalog, the model's or not", async () => {
    const version = "v-store-untrained";
    const unplayed: CatalogTrack = { ...catalogTracksOf[0]!, id: "unplayed-track", title: "Nobody played this" };
    await publish(version, [], [unplayed]);
    const found = await catalogTracks(env, version, [unplayed.id, demo[3]!.id]);
    expect(found.get(unplayed.id)).toMatchObject({ title: "Nobody played this", popularity: 0 });
    expect(found.get(demo[3]!.id)).toMatchObject({ popularity: 3 / 6 });
  });

  it("publishes a bounded browse set and charts that carry their own rows", async () => {
    const version = "v-store-browse";
    await publish(version);
    const browse = await browseTracks(env, version);
    expect(browse.size).toBe(demo.length);
    // Most listened first.
    expect(listenersPerTrack[demo.findIndex((t) => t.id === [...browse.keys()][0])]).toBe(6);
    const published = await charts(env, version);
    expect(published?.charts.global).toEqual([]);
    expect(published?.tracks.size).toBe(published?.charts.newReleases.length);
  });

  it("answers a warm recommendation request from what the isolate holds: no KV read", async () => {
    const version = "v-store-hot-path";
    await publish(version);
    const listener = await pseudonymOf("hot-path-listener");
    const candidates: ListenerArtifact = {
      candidates: demo.slice(0, 40).map((t, i) => [t.id, 1 - i / 100, null]),
      heard: [],
    };
    await env.MODELS.put(artifactKey.listener(version, listener), JSON.stringify(candidates));
    const { env: counted, read } = countingReads();
    const cold = await recommend(counted, listener, { limit: 10 });
    expect(cold).toMatchObject({ modelVersion: version, source: "model" });
    expect(cold.items).toHaveLength(10);
    // Cold: the version's digest and the listener's candidates; no catalog shard, as the browse set has them all.
    expect(read.filter((key) => key.includes(":catalog:"))).toEqual([]);
    expect(read).toContain(artifactKey.listener(version, listener));
    read.length = 0;
    const warm = await recommend(counted, listener, { limit: 10 });
    expect(warm.items.map((i) => i.trackId)).toEqual(cold.items.map((i) => i.trackId));
    expect(read.filter((key) => key !== CURRENT_MODEL_KEY)).toEqual([]);
  });
});

describe("onboarding", () => {
  it("records a like for a track with a 64-character id, once however often it is retried", async () => {
    const long: CatalogTrack = { ...catalogTracksOf[0]!, id: "t".repeat(64), artistId: "artist-with-a-long-track" };
    await publish("v-onboarding", [long]);

    const listener = "onboarding-long-id";
    const headers = await asListener(listener);
    const choice = jsonBody("POST", { artists: [long.artistId] }, headers);
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await json(await edge("/v1/me/onboarding", choice), 202)).toMatchObject({ seedTracks: [long.id] });
    }
    // A later event of the same listener is the sentinel: once it is stored, so is what came before it.
    const sentinel = { id: "after-onboarding", trackId: demo[1]!.id, type: "play" };
    await json(await edge("/v1/events", jsonBody("POST", { events: [sentinel] }, headers)), 202);
    const pseudonym = await pseudonymOf(listener);
    const stored = () =>
      env.DB.prepare("SELECT event_id AS id, track_id AS track FROM events WHERE listener_id = ? ORDER BY event_id")
        .bind(pseudonym)
        .all<{ id: string; track: string }>();
    await waitFor("the sentinel event", async () => (await stored()).results.some((r) => r.id === sentinel.id));
    const likes = (await stored()).results.filter((r) => r.track === long.id);
    expect(likes).toHaveLength(1);
    expect(likes[0]!.id.length).toBeLessThanOrEqual(64);
  });
});

describe("regional exploration pools and charts", () => {
  /** `count` listeners of `region` (named from `from`), each playing `played` an hour ago. */
  async function listening(region: string, count: number, played: readonly string[], from = 0, consent = true) {
    const now = Date.now();
    const ids = await Promise.all(
      Array.from({ length: count }, (_, n) => pseudonymOf(`${region}-listener-${from + n}`)),
    );
    await env.DB.batch(
      bulkInsertStatements(
        env.DB,
        listeners,
        ids.map((id) => ({ ...listenerRow(id, region, now), consentPersonalization: consent })),
        "ignore",
      ),
    );
    const rows = ids.flatMap((listenerId) =>
      played.map((trackId) => ({
        listenerId,
        eventId: `play-${trackId}`,
        trackId,
        type: "play",
        clientTs: now - 3_600_000,
        receivedAt: now - 3_600_000,
      })),
    );
    await env.DB.batch(bulkInsertStatements(env.DB, events, rows, "ignore"));
  }

  it("give a region's listeners what enough of them play beyond its chart, and others the whole catalog's", async () => {
    const version = "v-store-regional";
    // More tracks than a pool holds, so the day's pool of the whole catalog is a draw from it, which a
    // region's tracks are not all in.
    const unplayed = generateDemoCatalog(12)
      .tracks.slice(0, 1_500)
      .map((t) => ({ ...t, id: `regional-${t.id}`, popularity: 0 }));
    const ids = [...demo, ...unplayed].map((t) => t.id).sort();
    // All tied, the first 100 by id make each region's chart; the 50 after it are what the region plays beyond it.
    const played = ids.slice(0, 150);
    await listening("SE", MIN_CROWD, played);
    // Played beyond the chart too, but by too few of the region's listeners to be shown to the others.
    const fewPlayed = ids.slice(150, 170);
    await listening("SE", MIN_CROWD - 1, fewPlayed, MIN_CROWD);
    // A region where nothing is played by enough listeners.
    await listening("IS", MIN_CROWD - 1, played);
    // Played by more of SE's listeners than any other track, all of whom withdrew personalization consent.
    const withheld = ids[170]!;
    await listening("SE", 2 * MIN_CROWD, [withheld], 100, false);
    await publish(version, [], unplayed);
    const now = Date.now();
    const pool = explorationPoolOf(now, EXPLORATION_POOLS);

    // A recommendation reads its region's pool, or the whole catalog's where the region has none (asked
    // first, so the isolate holds neither yet).
    const listener = await pseudonymOf("SE-listener-0");
    for (const [region, key] of [
      ["SE", artifactKey.exploration(version, pool, "SE")],
      ["IS", artifactKey.exploration(version, pool)],
    ] as const) {
      const { env: counted, read } = countingReads();
      await recommend(counted, listener, { limit: 10, region, now });
      expect(read.filter((k) => k.includes(":exploration:"))).toEqual([key]);
    }

    const manifest = await versionManifest(env, version);
    expect(manifest?.explorationRegions).toEqual(["SE"]);
    const swedish = await explorationTracks(env, version, now, "SE");
    const whole = await explorationTracks(env, version, now, null);
    expect(whole).toHaveLength(EXPLORATION_POOL_TRACKS);
    expect(swedish).toHaveLength(EXPLORATION_POOL_TRACKS);
    // Regional tracks first, as drawn, then the day's pool of the whole catalog.
    const regional = swedish.slice(0, 50);
    expect(new Set(regional.map((t) => t.id))).toEqual(new Set(played.slice(100)));
    const inWhole = new Set(whole.map((t) => t.id));
    expect(swedish.slice(50).every((t) => inWhole.has(t.id))).toBe(true);
    // Some are outside the day's draw: their rows, which the publisher read from D1, are whole.
    const readFromD1 = regional.filter((t) => !inWhole.has(t.id));
    expect(readFromD1.length).toBeGreaterThan(0);
    const byId = new Map([...demo, ...unplayed].map((t) => [t.id, t]));
    for (const t of readFromD1) expect(t).toMatchObject({ title: byId.get(t.id)!.title, genre: byId.get(t.id)!.genre });
    expect(fewPlayed.filter((id) => regional.some((t) => t.id === id))).toEqual([]);
    expect(await explorationTracks(env, version, now, "IS")).toEqual(whole);

    // The charts: SE's is what enough of its listeners play; IS has none of its own, so its listeners get
    // the global chart, published or (KV down) computed from D1.
    const published = (await charts(env, version))!.charts;
    expect(published.regions.SE).toEqual(played.slice(0, 100));
    expect(published.regions).not.toHaveProperty("IS");
    // The isolate's copy of the model pointer expires at once, so each call reads the one just published.
    const fresh = Object.assign({}, env, { MODEL_POINTER_TTL_MS: "0" }) as Env;
    expect(await topChart(fresh, "IS", 10)).toEqual({
      region: null,
      trackIds: published.global.slice(0, 10),
      source: "model",
    });
    expect(await topChart(fresh, "SE", 10)).toEqual({ region: "SE", trackIds: played.slice(0, 10), source: "model" });
    const kvDown = { ...fresh, MODELS: { get: () => Promise.reject(new Error("KV is down")) } } as unknown as Env;
    const live = (region: string | null) => topChart(kvDown, region, 100, new Degradation(true));
    const liveGlobal = await live(null);
    expect(await live("IS")).toEqual({ ...liveGlobal, region: null });
    expect(await live("SE")).toEqual({ region: "SE", trackIds: played.slice(0, 100), source: "live" });
    // Listeners who withdrew personalization consent count in no chart, however many they are.
    for (const chart of [published.global, published.regions.SE!, liveGlobal.trackIds])
      expect(chart).not.toContain(withheld);
  });

  it("give the global chart for a region whose published chart is empty, as versions published before held", async () => {
    const version = "v-store-empty-regional-chart";
    const global = demo.slice(0, 3).map((t) => t.id);
    const artefact = { global, regions: { IS: [] }, newReleases: [], rows: [] };
    await env.MODELS.put(artifactKey.charts(version), JSON.stringify(artefact));
    await env.MODELS.put(CURRENT_MODEL_KEY, JSON.stringify({ version, publishedAt: Date.now() }));
    const fresh = Object.assign({}, env, { MODEL_POINTER_TTL_MS: "0" }) as Env;
    expect(await topChart(fresh, "IS", 10)).toEqual({ region: null, trackIds: global, source: "model" });
  });
});
