import { TZDate } from "@date-fns/tz";
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  asListener,
  edge,
  json,
  jsonBody,
  pseudonymOf,
  retrainAndPublish,
  seedAndPublish,
  sessionStub,
  storedEventIds,
  waitFor,
  withoutRecommendationId,
} from "./helpers";

const DAY_MS = 86_400_000;
const ZONE = "Europe/Stockholm";

interface ListView {
  kind: string;
  title: string;
  description: string;
  generatedAt: string;
  validUntil: string;
  modelVersion: string;
  seedArtists: { id: string; name: string }[];
  tracks: {
    id: string;
    artist: { id: string; name: string };
    releaseDate: string;
    reason: { code: string; text: string };
    fallback?: true;
  }[];
}

async function list(listener: string, kind: string, zone = ZONE) {
  const res = await edge(`/v1/me/playlists/${kind}?timeZone=${encodeURIComponent(zone)}`, {
    headers: await asListener(listener),
  });
  return withoutRecommendationId(await json<ListView>(res));
}

/** Every track the listener has an event for in D1, raw or rolled up past retention. */
async function heardInD1(listener: string): Promise<Set<string>> {
  const rows = await env.DB.prepare(
    "SELECT track_id FROM events WHERE listener_id = ?1 UNION SELECT track_id FROM event_rollups WHERE listener_id = ?1",
  )
    .bind(await pseudonymOf(listener))
    .all<{ track_id: string }>();
  return new Set(rows.results.map((r) => r.track_id));
}

async function playedArtistsInD1(listener: string): Promise<Set<string>> {
  const rows = await env.DB.prepare(
    "SELECT DISTINCT t.artist_id FROM tracks t WHERE t.id IN (SELECT track_id FROM events WHERE listener_id = ?1 UNION SELECT track_id FROM event_rollups WHERE listener_id = ?1)",
  )
    .bind(await pseudonymOf(listener))
    .all<{ artist_id: string }>();
  return new Set(rows.results.map((r) => r.artist_id));
}

function expectDiscoveryList(view: ListView, heard: ReadonlySet<string>) {
  expect(view.kind).toBe("discover-weekly");
  expect(view.tracks).toHaveLength(30);
  const artists = view.tracks.map((t) => t.artist.id);
  expect(new Set(artists).size).toBe(30);
  for (const track of view.tracks) {
    expect(heard.has(track.id), `${track.id} was heard`).toBe(false);
    expect(track.reason.text.length).toBeGreaterThan(0);
  }
}

const ids = (view: ListView) => view.tracks.map((t) => t.id);

describe("Discover Weekly and Release Radar on the running workers", () => {
  beforeAll(async () => {
    await seedAndPublish();
  }, 300_000);

  afterEach(() => vi.useRealTimers());

  it("Discover Weekly stays the same all week, through eviction, a new model and dislikes, and is new from Monday 00:00 in the listener's zone without what they disliked", async () => {
    const listener = "demo-21";
    const first = await list(listener, "discover-weekly");
    expectDiscoveryList(first, await heardInD1(listener));
    expect(first.description).toContain("not played yet");
    expect(first.seedArtists.length).toBeGreaterThan(0);
    // The week ends on Monday 00:00 on the listener's own clock.
    const end = new TZDate(Date.parse(first.validUntil), ZONE);
    expect([end.getDay(), end.getHours(), end.getMinutes()]).toEqual([1, 0, 0]);

    expect(await list(listener, "discover-weekly")).toEqual(first);
    await evictDurableObject(sessionStub(await pseudonymOf(listener)));
    expect(await list(listener, "discover-weekly")).toEqual(first);
    const version = await retrainAndPublish();
    expect(version).not.toBe(first.modelVersion);
    expect(await list(listener, "discover-weekly")).toEqual(first);

    // Disliked in the week: this week's list stands, next week's holds neither the track nor the artist.
    const dislikedTrack = first.tracks[0]!;
    const dislikedArtist = first.tracks[1]!.artist.id;
    const events = [
      { id: "dw-dislike-track", trackId: dislikedTrack.id, type: "dislike" },
      { id: "dw-dislike-artist", trackId: first.tracks[1]!.id, type: "dislike", target: "artist" },
    ];
    await json(await edge("/v1/events", jsonBody("POST", { events }, await asListener(listener))), 202);
    expect(await list(listener, "discover-weekly")).toEqual(first);
    const pseudonym = await pseudonymOf(listener);
    await waitFor("the dislikes in D1", async () => (await storedEventIds(pseudonym)).includes("dw-dislike-artist"));

    const weekEnd = Date.parse(first.validUntil);
    vi.useFakeTimers({ toFake: ["Date"], now: Math.max(Date.now(), weekEnd - 60_000) });
    expect(await list(listener, "discover-weekly")).toEqual(first);

    vi.setSystemTime(weekEnd + 60_000);
    const next = await list(listener, "discover-weekly");
    expectDiscoveryList(next, await heardInD1(listener));
    expect(Date.parse(next.validUntil)).toBe(weekEnd + 7 * DAY_MS);
    expect(Date.parse(next.generatedAt)).toBeGreaterThanOrEqual(weekEnd);
    // All new: last week's picks, played or not, make way for others.
    expect(ids(next).filter((id) => ids(first).includes(id))).toEqual([]);
    expect(ids(next)).not.toContain(dislikedTrack.id);
    expect(next.tracks.map((t) => t.artist.id)).not.toContain(dislikedArtist);
    expect(await list(listener, "discover-weekly")).toEqual(next);
  }, 300_000);

  it("Release Radar holds only releases of the last 14 days by followed or played artists, one each, and marks stand-ins for followed artists with nothing new", async () => {
    const now = Date.now();
    const since = new Date(now - 14 * DAY_MS).toISOString().slice(0, 10);
    // The demo listener among the first hundred who played the most artists with a release in the last 14 days.
    const raw = Array.from({ length: 100 }, (_, i) => `demo-${i + 1}`);
    const pseudonyms = await Promise.all(raw.map(pseudonymOf));
    const busiest = await env.DB.prepare(
      "SELECT e.listener_id AS id, count(DISTINCT t.artist_id) AS n FROM events e JOIN tracks t ON t.id = e.track_id WHERE e.listener_id IN (SELECT value FROM json_each(?1)) AND t.artist_id IN (SELECT artist_id FROM tracks WHERE release_date >= ?2) GROUP BY e.listener_id ORDER BY n DESC, e.listener_id LIMIT 1",
    )
      .bind(JSON.stringify(pseudonyms), since)
      .first<{ id: string; n: number }>();
    expect(busiest?.n).toBeGreaterThan(0);
    const listener = raw[pseudonyms.indexOf(busiest!.id)]!;
    const pseudonym = busiest!.id;
    const played = await playedArtistsInD1(listener);
    const artists = await env.DB.prepare(
      "SELECT artist_id AS id, artist_name AS name, genre, max(release_date) AS latest FROM tracks GROUP BY artist_id ORDER BY artist_id",
    ).all<{ id: string; name: string; genre: string; latest: string }>();
    const unplayed = artists.results.filter((a) => !played.has(a.id));
    const fresh = unplayed.find((a) => a.latest >= since)!;
    // Quiet artists of three genres, so at least one has a close-sounding artist with a new release.
    const quiet = [...new Map(unplayed.filter((a) => a.latest < since).map((a) => [a.genre, a])).values()].slice(0, 3);
    expect(fresh).toBeDefined();
    expect(quiet).toHaveLength(3);
    const stub = sessionStub(pseudonym);
    for (const artist of [fresh, ...quiet]) await stub.follow(artist.id);

    const radar = await list(listener, "release-radar", "UTC");
    const followed = new Set([fresh.id, ...quiet.map((a) => a.id)]);
    const artistIds = radar.tracks.map((t) => t.artist.id);
    expect(new Set(artistIds).size).toBe(artistIds.length);
    expect(radar.tracks.length).toBeGreaterThan(0);
    expect(radar.tracks.length).toBeLessThanOrEqual(30);
    for (const track of radar.tracks) {
      const released = Date.parse(`${track.releaseDate}T00:00:00Z`);
      expect(released).toBeLessThanOrEqual(now);
      expect(now - released).toBeLessThanOrEqual(14 * DAY_MS);
      expect(track.reason.code).toBe("new_release");
      if (!track.fallback) expect(followed.has(track.artist.id) || played.has(track.artist.id)).toBe(true);
    }
    expect(artistIds).toContain(fresh.id);
    expect(radar.tracks.some((t) => !t.fallback && !followed.has(t.artist.id))).toBe(true);
    const standIns = radar.tracks.filter((t) => t.fallback);
    expect(standIns.length).toBeGreaterThan(0);
    for (const track of standIns) {
      expect(quiet.some((a) => track.reason.text.includes(`close to ${a.name}, whom you follow`))).toBe(true);
      expect(followed.has(track.artist.id)).toBe(false);
    }
    const playedFresh = artists.results.filter((a) => played.has(a.id) && a.latest >= since).length;
    console.log(
      `Release Radar of ${listener}: ${radar.tracks.length} tracks (played artists with a release in 14 days: ${playedFresh}), ${standIns.length} stand-ins: ${standIns.map((t) => t.reason.text).join("; ")}`,
    );
  }, 300_000);
});
