import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parseRecommendationId, type Surface } from "../../shared/analytics/attribution";

import {
  asListener,
  edge,
  freezeDiscoverWeekly,
  json,
  jsonBody,
  pseudonymOf,
  seedAndPublish,
  waitFor,
} from "./helpers";

/**
 * Attribution end to end: each personal answer's recommendation id, echoed by the client in an
 * event's `context.recommendationId`, reaches D1's events.context and says what served the track.
 */
const LISTENER = "attribution-listener";
let modelVersion: string;
let trackIds: string[];

interface Served {
  recommendationId: string;
  modelVersion?: string | null;
}

beforeAll(async () => {
  modelVersion = await seedAndPublish();
  trackIds = (await env.DB.prepare("SELECT id FROM tracks ORDER BY id LIMIT 40").all<{ id: string }>()).results.map(
    (r) => r.id,
  );
  // This week's Discover Weekly, as a generator would leave it, made by the published model.
  await freezeDiscoverWeekly(LISTENER, trackIds.slice(0, 8), modelVersion);
}, 300_000);

const get = async <T = Served>(path: string, role: "client" | "speaker" = "client") =>
  json<T & Served>(await edge(path, { headers: await asListener(LISTENER, role) }));

const servedBy = (answer: Served) => parseRecommendationId(answer.recommendationId);

async function post(events: object[]) {
  const res = await edge("/v1/events", jsonBody("POST", { events }, await asListener(LISTENER)));
  return json<{ accepted: number }>(res, 202);
}

/** The D1 contexts of the listener's events whose ids start with `prefix`, by event id. */
async function storedContexts(prefix: string, count: number) {
  const pseudonym = await pseudonymOf(LISTENER);
  return waitFor(`${count} ${prefix} events in D1`, async () => {
    const rows = await env.DB.prepare("SELECT event_id, context FROM events WHERE listener_id = ? AND event_id LIKE ?")
      .bind(pseudonym, `${prefix}%`)
      .all<{ event_id: string; context: string }>();
    if (rows.results.length < count) return null;
    return new Map(rows.results.map((r) => [r.event_id, JSON.parse(r.context) as Record<string, string>]));
  });
}

/** A new own playlist of the listener's, as created. */
async function ownPlaylist() {
  const body = { name: "Mine", trackIds: trackIds.slice(10, 16) };
  const res = await edge("/v1/me/playlists", jsonBody("POST", body, await asListener(LISTENER)));
  return json<Served & { id: string }>(res, 201);
}

describe("every personal answer carries a recommendation id of what served it", () => {
  it("recommendations, a frozen list (a new id each time), an own playlist and its shuffle, radio, the speaker", async () => {
    const recs = await get("/v1/me/recommendations?limit=5");
    expect(servedBy(recs)).toMatchObject({
      surface: "recommendations",
      modelVersion: recs.modelVersion,
      variant: null,
    });
    expect(recs.modelVersion).toBe(modelVersion);

    const list = await get("/v1/me/playlists/discover-weekly?timeZone=UTC");
    const again = await get("/v1/me/playlists/discover-weekly?timeZone=UTC");
    expect(again.recommendationId).not.toBe(list.recommendationId);
    for (const answer of [list, again])
      expect(servedBy(answer)).toMatchObject({ surface: "discover-weekly", modelVersion });

    const created = await ownPlaylist();
    const own = await get(`/v1/me/playlists/${created.id}`);
    const shuffled = await get(`/v1/me/playlists/${created.id}/shuffle?seed=7`);
    for (const answer of [created, own, shuffled])
      expect(servedBy(answer)).toMatchObject({ surface: "own-playlist", modelVersion });

    const radio = await get<{ cursor: string }>(`/v1/me/radio?seed=track:${trackIds[20]}&limit=3`);
    const nextPage = await get(`/v1/me/radio?cursor=${encodeURIComponent(radio.cursor)}&limit=3`);
    for (const answer of [radio, nextPage]) expect(servedBy(answer)).toMatchObject({ surface: "radio", modelVersion });

    const speaker: [string, Surface][] = [
      ["", "speaker"],
      ["?playlist=discover-weekly&timeZone=UTC", "discover-weekly"],
      [`?playlist=${created.id}`, "own-playlist"],
      [`?radio=track:${trackIds[30]}`, "radio"],
    ];
    for (const [query, surface] of speaker)
      expect(servedBy(await get(`/v1/speaker/next${query}`, "speaker")), query).toMatchObject({
        surface,
        modelVersion,
      });
  });
});

describe("an id echoed in an event reaches D1 and credits what served the track", () => {
  it("a play, a skip and a save from each surface parse back to its surface and model version", async () => {
    const answers: [Surface, Served][] = [
      ["recommendations", await get("/v1/me/recommendations?limit=3")],
      ["discover-weekly", await get("/v1/me/playlists/discover-weekly?timeZone=UTC")],
      ["radio", await get(`/v1/me/radio?seed=track:${trackIds[25]}&limit=3`)],
      ["own-playlist", await get(`/v1/me/playlists/${(await ownPlaylist()).id}/shuffle`)],
      ["speaker", await get("/v1/speaker/next", "speaker")],
    ];
    const types = ["play", "skip", "add_to_playlist"] as const;
    const now = Date.now();
    const events = answers.flatMap(([surface, answer], i) =>
      types.map((type, j) => ({
        id: `attr-${surface}-${type}`,
        trackId: trackIds[i * 3 + j]!,
        type,
        timestamp: now - 60_000 + i * 3 + j,
        ...(type === "skip" ? { positionMs: 5_000 } : {}),
        context: { recommendationId: answer.recommendationId },
      })),
    );
    expect(await post(events)).toMatchObject({ accepted: events.length });

    const stored = await storedContexts("attr-", events.length);
    for (const [surface, answer] of answers) {
      for (const type of types) {
        const context = stored.get(`attr-${surface}-${type}`)!;
        expect(context.recommendationId).toBe(answer.recommendationId);
        expect(parseRecommendationId(context.recommendationId!)).toMatchObject({
          surface,
          modelVersion,
          variant: null,
        });
      }
    }
  });

  it("alongside context.playlistId, the speaker still goes on from where the phone left the list", async () => {
    const first = await get<{ trackId: string; playlist: { position: number } }>(
      "/v1/speaker/next?playlist=discover-weekly&timeZone=UTC",
      "speaker",
    );
    const list = await get<{ tracks: { id: string }[] }>("/v1/me/playlists/discover-weekly?timeZone=UTC");
    // The phone plays the list's fifth track, echoing the list's id: the speaker goes on with the sixth.
    await post([
      {
        id: "progress-phone",
        trackId: list.tracks[4]!.id,
        type: "play",
        timestamp: Date.now(),
        device: "phone",
        context: { playlistId: "discover-weekly", source: "playlist", recommendationId: list.recommendationId },
      },
    ]);
    const next = await get<{ trackId: string; playlist: { position: number } }>(
      "/v1/speaker/next?playlist=discover-weekly&timeZone=UTC",
      "speaker",
    );
    expect(first.playlist.position).toBeLessThan(5);
    expect(next).toMatchObject({ trackId: list.tracks[5]!.id, playlist: { position: 6 } });

    const stored = await storedContexts("progress-", 1);
    expect(stored.get("progress-phone")).toEqual({
      playlistId: "discover-weekly",
      source: "playlist",
      recommendationId: list.recommendationId,
    });
    expect(servedBy(list)).toMatchObject({ surface: "discover-weekly", modelVersion });
  });

  it("a list played to its end: the session object marks its last track, the KPIs count the list completed", async () => {
    const list = await get<{ tracks: { id: string }[] }>("/v1/me/playlists/discover-weekly?timeZone=UTC");
    const context = { playlistId: "discover-weekly", source: "playlist", recommendationId: list.recommendationId };
    const now = Date.now();
    const play = (id: string, track: number, type: string, at: number) => ({
      id,
      trackId: list.tracks.at(track)!.id,
      type,
      timestamp: at,
      device: "phone",
      context,
    });
    await post([
      play("end-first", 0, "complete", now - 4000),
      play("end-second-to-last", -2, "complete", now - 3000),
      play("end-last-play", -1, "play", now - 2000),
      play("end-last", -1, "complete", now - 1000),
    ]);
    const pseudonym = await pseudonymOf(LISTENER);
    const marked = await waitFor("the four events in D1", async () => {
      const rows = await env.DB.prepare(
        "SELECT event_id, list_end FROM events WHERE listener_id = ? AND event_id LIKE 'end-%' ORDER BY event_id",
      )
        .bind(pseudonym)
        .all<{ event_id: string; list_end: number }>();
      return rows.results.length === 4 ? rows.results : null;
    });
    expect(marked).toEqual([
      { event_id: "end-first", list_end: 0 },
      { event_id: "end-last", list_end: 1 },
      { event_id: "end-last-play", list_end: 1 },
      { event_id: "end-second-to-last", list_end: 0 },
    ]);
    const played = await env.DB.prepare("SELECT surface, completed FROM kpi_list_plays WHERE recommendation_id = ?")
      .bind(list.recommendationId)
      .all();
    expect(played.results).toEqual([{ surface: "discover-weekly", completed: 1 }]);
  });
});
