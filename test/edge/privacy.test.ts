import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { trackRow } from "../../shared/db/rows";
import { tracks } from "../../shared/db/schema";
import { generateDemoCatalog } from "../../shared/demo";

import {
  asListener,
  asOperator,
  d1Tables,
  edge,
  freezeDiscoverWeekly,
  json,
  jsonBody,
  kvKeys,
  objectStorage,
  passSentinels,
  pseudonymOf,
  r2Objects,
  retrainAndPublish,
  sessionStub,
  storedEventIds,
  waitFor,
} from "./helpers";

const RAW_ID = "privacy-raw-listener-7";
const OTHER_ID = "privacy-other-listener";
const catalog = generateDemoCatalog(3).tracks.slice(0, 60);

async function postEvents(listenerId: string, prefix: string, count: number, from = 0) {
  const now = Date.now();
  const events = catalog.slice(from, from + count).map((t, i) => ({
    id: `${prefix}-${i}`,
    listenerId,
    trackId: t.id,
    type: i % 5 === 0 ? "like" : "complete",
    timestamp: now - (count - i) * 60_000,
    device: "phone",
  }));
  return edge("/v1/events", jsonBody("POST", { events }, await asListener(listenerId)));
}

async function storedEvents(pseudonym: string) {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE listener_id = ?")
    .bind(pseudonym)
    .first<{ n: number }>();
  return row!.n;
}

/** Every text value in every D1 table, every KV key and value, every R2 object and the session object's storage. */
async function everythingStored(pseudonym: string): Promise<string> {
  const parts = Object.values(await d1Tables()).map((rows) => JSON.stringify(rows));
  for (const key of await kvKeys()) parts.push(key, (await env.MODELS.get(key)) ?? "");
  for (const { key, text } of await r2Objects()) parts.push(key, text);
  parts.push(JSON.stringify(await objectStorage(sessionStub(pseudonym))));
  return parts.join("\n");
}

describe("privacy", () => {
  beforeAll(async () => {
    await env.DB.batch(bulkInsertStatements(env.DB, tracks, catalog.map(trackRow), "ignore"));
  });

  it("raw listener ids never reach D1, KV, the queue or the session object", async () => {
    expect(await json(await postEvents(RAW_ID, "raw", 40), 202)).toMatchObject({ accepted: 40 });
    // Tracks 20 to 49: the model learns only played tracks, and some of them the listener has not heard.
    expect(await json(await postEvents(OTHER_ID, "other", 30, 20), 202)).toMatchObject({ accepted: 30 });
    const pseudonym = await pseudonymOf(RAW_ID);
    await waitFor("events stored", async () => (await storedEvents(pseudonym)) === 40);
    await retrainAndPublish();
    // The listener's own content, so the session object's tables for it are in the scan too.
    const headers = await asListener(RAW_ID);
    const body = { name: "Mine", trackIds: [catalog[0]!.id, catalog[1]!.id] };
    await json(await edge("/v1/me/playlists", jsonBody("POST", body, headers)), 201);
    await json(await edge(`/v1/me/following/${catalog[0]!.artistId}`, { method: "PUT", headers }));
    // Served an experiment's variant: the exposure is the listener's, in the session object and in D1.
    const aa = {
      name: "A/A",
      hypothesis: "No difference",
      variants: [
        { name: "a", share: 0.5 },
        { name: "b", share: 0.5 },
      ],
      primaryMetric: "skipRate",
      minimumDetectableEffect: 0.05,
    };
    const { id } = await json<{ id: string }>(await edge("/admin/experiments", jsonBody("POST", aa, asOperator)), 201);
    await json(await edge(`/admin/experiments/${id}/start`, { method: "POST", headers: asOperator }));
    await json(await edge("/v1/me/recommendations", { headers }));
    await waitFor(
      "the exposure in D1",
      async () =>
        await env.DB.prepare("SELECT 1 FROM experiment_exposures WHERE listener_id = ?").bind(pseudonym).first(),
    );

    // The event lake holds the listener's events, by pseudonym, like D1.
    const lake = (await r2Objects()).filter((o) => o.key.startsWith("events/day="));
    expect(
      lake
        .map((o) => o.text)
        .join("")
        .split(`"listener":"${pseudonym}"`).length - 1,
    ).toBe(40);

    const stored = await everythingStored(pseudonym);
    expect(stored).toContain(pseudonym);
    expect(stored).not.toContain(RAW_ID);
    expect(stored).not.toContain(OTHER_ID);
  });

  it("exports everything held, then erases it everywhere", async () => {
    const pseudonym = await pseudonymOf(RAW_ID);
    // A radio station, and a list played on a speaker: what they served is the listener's too.
    const station = await json<{ station: { id: string } }>(
      await edge(`/v1/me/radio?seed=track:${catalog[45]!.id}&limit=5`, { headers: await asListener(RAW_ID) }),
    );
    await freezeDiscoverWeekly(
      RAW_ID,
      catalog.slice(50, 55).map((t) => t.id),
    );
    await json(
      await edge("/v1/speaker/next?playlist=discover-weekly&timeZone=UTC", {
        headers: await asListener(RAW_ID, "speaker"),
      }),
    );
    // The phone plays the list's last track to its end: the KPIs keep the list as played, completed.
    const list = await json<{ recommendationId: string; tracks: { id: string }[] }>(
      await edge("/v1/me/playlists/discover-weekly?timeZone=UTC", { headers: await asListener(RAW_ID) }),
    );
    const end = {
      id: "raw-list-end",
      trackId: list.tracks.at(-1)!.id,
      type: "complete",
      timestamp: Date.now(),
      device: "phone",
      context: { playlistId: "discover-weekly", source: "playlist", recommendationId: list.recommendationId },
    };
    await json(await edge("/v1/events", jsonBody("POST", { events: [end] }, await asListener(RAW_ID))), 202);
    await waitFor("the list's end stored", async () => (await storedEvents(pseudonym)) === 41);
    // The consumer appends to the lake after D1, in the same invocation.
    await waitFor("the list's end in the lake", async () => {
      const { lakeEvents } = await json<{ lakeEvents: unknown[] }>(
        await edge(`/v1/me/export`, { headers: await asListener(RAW_ID) }),
      );
      return lakeEvents.length === 41;
    });
    const exported = await json<{
      events: { eventId: string }[];
      lakeEvents: { eventId: string }[];
      consent: { personalization: boolean };
      liveSession: { recent: unknown[] };
      recommendations: { candidates: unknown[] } | null;
      modelEvaluations: { version: string; ndcg: number }[];
      profile: unknown;
      ownPlaylists: { name: string; trackIds: string[] }[];
      following: { artistId: string }[];
      radioStations: { id: string; served: unknown[] }[];
      listProgress: { listId: string; position: number }[];
      timeZone: string | null;
      experiments: { exposures: { variant: string }[]; loggedExposures: { variant: string }[] };
      activeDays: { day: string; device: string }[];
      listPlays: { surface: string; completed: boolean }[];
    }>(await edge(`/v1/me/export`, { headers: await asListener(RAW_ID) }));
    expect(exported.experiments.exposures).toHaveLength(1);
    expect(exported.experiments.loggedExposures).toEqual(exported.experiments.exposures);
    expect(exported.radioStations).toEqual([
      expect.objectContaining({ id: station.station.id, served: expect.any(Array) }),
    ]);
    expect(exported.radioStations[0]!.served).toHaveLength(5);
    // The speaker played its first track, the phone its last: the list is done (position at its length).
    expect(exported.listProgress).toEqual([expect.objectContaining({ listId: "discover-weekly", position: 5 })]);
    // The zone the speaker sent, kept for the lists' periods, is the listener's too.
    expect(exported.timeZone).toBe("UTC");
    expect(exported.events).toHaveLength(41);
    // The lake's lines are the same events as D1's here (none is past D1's retention yet).
    expect(exported.lakeEvents.map((e) => e.eventId).sort()).toEqual(exported.events.map((e) => e.eventId).sort());
    // Counted in the KPIs' actives: the days they listened on, theirs too (kpi_listener_days).
    expect(exported.activeDays).toEqual(expect.arrayContaining([expect.objectContaining({ device: "phone" })]));
    expect(exported.listPlays).toEqual([expect.objectContaining({ surface: "discover-weekly", completed: true })]);
    expect(exported.liveSession.recent.length).toBeGreaterThan(0);
    expect(exported.recommendations?.candidates.length).toBeGreaterThan(0);
    expect(exported.profile).toBeTruthy();
    // The model's holdout evaluated the listener: those figures are theirs too, and erased with the rest.
    expect(exported.modelEvaluations.length).toBeGreaterThan(0);
    expect(exported.consent.personalization).toBe(true);
    expect(exported.ownPlaylists).toEqual([
      expect.objectContaining({ name: "Mine", trackIds: [catalog[0]!.id, catalog[1]!.id] }),
    ]);
    expect(exported.following).toEqual([expect.objectContaining({ artistId: catalog[0]!.artistId })]);

    // The KPIs count both listeners' starts (40 and 30 events, a fifth of them likes, and the list's end); erased, only the other's.
    const starts = async () =>
      (await env.DB.prepare("SELECT coalesce(sum(starts), 0) AS n FROM kpi_daily").first<{ n: number }>())!.n;
    await waitFor("both listeners counted", async () => (await starts()) === 33 + 24);
    // However many versions were ever built, an erasure deletes the listener's entry only in those not pruned.
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1499)
       INSERT INTO model_versions (version, algorithm, status, trigger, created_at)
       SELECT printf('v2020%010d-000000', i), 'hybrid', 'pruned', 'cron', i FROM n`,
    ).run();
    const kept = await env.DB.prepare("SELECT count(*) AS n FROM model_versions WHERE status != 'pruned'").first<{
      n: number;
    }>();
    expect(await json(await edge(`/v1/me`, { method: "DELETE", headers: await asListener(RAW_ID) }))).toMatchObject({
      erased: true,
      removed: { modelVersions: kept!.n },
    });
    const after = await everythingStored(pseudonym);
    // Only the erasure tombstone may still name the pseudonym.
    expect(after.split(pseudonym).length - 1).toBe(1);
    expect(after).toContain(`"listener_id":"${pseudonym}","erased_at"`);
    expect(await storedEvents(await pseudonymOf(OTHER_ID))).toBe(30);
    expect(await starts()).toBe(24);
    // Tables that do not name the pseudonym (own playlists, follows, stations, list progress, generated
    // lists) are emptied too: the session object is checked to be empty, every table of it.
    const { tables } = await objectStorage(sessionStub(pseudonym));
    expect(tables).toHaveProperty("own_playlists");
    expect(tables).toHaveProperty("radio_stations");
    expect(Object.entries(tables).filter(([, rows]) => rows.length > 0)).toEqual([]);

    const empty = await json<{
      events: unknown[];
      recommendations: unknown;
      ownPlaylists: unknown[];
      following: unknown[];
    }>(await edge(`/v1/me/export`, { headers: await asListener(RAW_ID) }));
    expect(empty.events).toEqual([]);
    expect(empty.recommendations).toBeNull();
    expect(empty.ownPlaylists).toEqual([]);
    expect(empty.following).toEqual([]);
  });

  it("without personalization consent, nothing is stored or queued and answers are not personal", async () => {
    const id = "privacy-consent-listener";
    expect(
      await json(await edge(`/v1/me/consent`, jsonBody("PUT", { personalization: false }, await asListener(id)))),
    ).toEqual({ personalization: false, analytics: true });

    expect(await json(await postEvents(id, "nc", 10), 202)).toEqual({ accepted: 0, duplicates: 0, notStored: 10 });
    const recs = await json<{ personalized: boolean; source: string }>(
      await edge(`/v1/me/recommendations`, { headers: await asListener(id) }),
    );
    expect(recs).toMatchObject({ personalized: false, source: "charts" });
    const { liveSession } = await json<{ liveSession: { recent: unknown[] } }>(
      await edge(`/v1/me/export`, { headers: await asListener(id) }),
    );
    expect(liveSession.recent).toEqual([]);

    // Consent given again, one event goes the whole way: anything wrongly queued before it is stored by then.
    await json(await edge(`/v1/me/consent`, jsonBody("PUT", { personalization: true }, await asListener(id))));
    await passSentinels([id], catalog[0]!.id, "nc-sentinel");
    expect(await storedEventIds(await pseudonymOf(id))).toEqual(["nc-sentinel"]);
  });

  it("events accepted before consent is withdrawn still reach D1, and D1 keeps the withdrawal for training", async () => {
    const id = "privacy-withdraws-at-once";
    const pseudonym = await pseudonymOf(id);
    expect(await json(await postEvents(id, "w", 5), 202)).toMatchObject({ accepted: 5 });
    // Withdrawn at once: the events are still in the session object's outbox, and D1 has no row for the listener.
    await json(await edge(`/v1/me/consent`, jsonBody("PUT", { personalization: false }, await asListener(id))));
    await waitFor("the accepted events in D1", async () => (await storedEventIds(pseudonym)).length === 5);
    const row = await env.DB.prepare("SELECT consent_personalization AS c FROM listeners WHERE id = ?")
      .bind(pseudonym)
      .first<{ c: number }>();
    expect(row?.c).toBe(0);
  });

  it("withdrawing analytics consent takes the listener out of the KPIs; consent given again puts them back", async () => {
    const id = "privacy-no-analytics";
    const pseudonym = await pseudonymOf(id);
    const counted = async () =>
      (await env.DB.prepare("SELECT count(*) AS n FROM kpi_listener_days WHERE listener_id = ?")
        .bind(pseudonym)
        .first<{ n: number }>())!.n;
    expect(await json(await postEvents(id, "na", 5), 202)).toMatchObject({ accepted: 5 });
    await waitFor("the listener counted", async () => (await counted()) > 0);
    await json(await edge(`/v1/me/consent`, jsonBody("PUT", { analytics: false }, await asListener(id))));
    expect(await counted()).toBe(0);
    await json(await edge(`/v1/me/consent`, jsonBody("PUT", { analytics: true }, await asListener(id))));
    expect(await counted()).toBeGreaterThan(0);
  });
});
