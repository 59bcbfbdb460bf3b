import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { trackRow } from "../../shared/db/rows";
import { tracks } from "../../shared/db/schema";
import { generateDemoCatalog } from "../../shared/demo";
import {
  artifactKey,
  CURRENT_MODEL_KEY,
  toCatalogRow,
  type CatalogArtifact,
  type CatalogTrack,
  type ChartsArtifact,
} from "../../shared/publish/artifacts";
import { catalog, charts } from "../../workers/edge/model-store";
import { asListener, edge, json, jsonBody, pseudonymOf, waitFor } from "./helpers";

const demo = generateDemoCatalog(11).tracks.slice(0, 20);
const catalogTracks: CatalogTrack[] = demo.map((t) => ({ ...t, popularity: 0.5 }));
const artifact = (version: string, rows = catalogTracks): CatalogArtifact => ({
  version,
  rows: rows.map(toCatalogRow),
  similarShards: 0,
});

/** A version as the publisher leaves it: the artefacts first, then the pointer. */
async function publish(version: string, rows: CatalogTrack[]) {
  await env.MODELS.put(artifactKey.catalog(version), JSON.stringify(artifact(version, rows)));
  await env.MODELS.put(CURRENT_MODEL_KEY, JSON.stringify({ version, publishedAt: Date.now() }));
}

describe("the edge's copy of a version's artefacts", () => {
  it("reads a missing catalog again on a later request, and keeps a present one", async () => {
    const version = "v-store-catalog";
    // The pointer can be seen before the artefact it names (KV is eventually consistent).
    expect((await catalog(env, version)).size).toBe(0);
    await env.MODELS.put(artifactKey.catalog(version), JSON.stringify(artifact(version)));
    expect((await catalog(env, version)).size).toBe(catalogTracks.length);
    // Once read, the version's catalog is held for its life: KV is not asked again.
    await env.MODELS.delete(artifactKey.catalog(version));
    expect((await catalog(env, version)).size).toBe(catalogTracks.length);
  });

  it("reads missing charts again on a later request, and keeps present ones", async () => {
    const version = "v-store-charts";
    expect(await charts(env, version)).toBeNull();
    const published: ChartsArtifact = { global: [demo[0]!.id], regions: {}, newReleases: [] };
    await env.MODELS.put(artifactKey.charts(version), JSON.stringify(published));
    expect(await charts(env, version)).toEqual(published);
    await env.MODELS.delete(artifactKey.charts(version));
    expect(await charts(env, version)).toEqual(published);
  });
});

describe("onboarding", () => {
  it("records a like for a track with a 64-character id, once however often it is retried", async () => {
    const long: CatalogTrack = { ...catalogTracks[0]!, id: "t".repeat(64), artistId: "artist-with-a-long-track" };
    await env.DB.batch(bulkInsertStatements(env.DB, tracks, [...demo, long].map(trackRow), "ignore"));
    await publish("v-onboarding", [...catalogTracks, long]);

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
