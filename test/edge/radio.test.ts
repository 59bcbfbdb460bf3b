import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";

import { trackSimilarity, trackVector } from "../../shared/ranking/similarity";
import type { TrackInfo } from "../../shared/ranking/types";
import {
  asListener,
  edge,
  expectProblem,
  freezeDiscoverWeekly,
  json,
  jsonBody,
  pseudonymOf,
  seedAndPublish,
  waitFor,
} from "./helpers";

interface RadioTrack extends Pick<TrackInfo, "id" | "title" | "genre" | "features"> {
  position: number;
  artist: { id: string; name: string };
  reason: { code: string; text: string };
}
interface RadioPage {
  station: { id: string; seed: string; title: string; served: number };
  tracks: RadioTrack[];
  cursor: string | null;
  personalized: boolean;
  degraded: string[];
}

const radio = async (listener: string, query: string) =>
  edge(`/v1/me/radio?${query}`, { headers: await asListener(listener) });
const page = async (listener: string, query: string) => json<RadioPage>(await radio(listener, query));
const cursorQuery = (cursor: string) => `cursor=${encodeURIComponent(cursor)}`;

async function post(listener: string, events: object[]) {
  const now = Date.now();
  const body = { events: events.map((e, i) => ({ timestamp: now - (events.length - i) * 1000, ...e })) };
  return json(await edge("/v1/events", jsonBody("POST", body, await asListener(listener))), 202);
}

const vector = (t: RadioTrack) =>
  trackVector({ ...t, artistId: t.artist.id, artistName: t.artist.name, releaseDate: "2020-01-01", popularity: 0 });
/** How close a page is, on average, to the closest of some tracks. */
const closeness = (tracks: RadioTrack[], to: RadioTrack[]) =>
  tracks.reduce((sum, t) => sum + Math.max(...to.map((s) => trackSimilarity(vector(s), vector(t)))), 0) / tracks.length;

let demoTracks: { id: string; artistId: string; genre: string }[];

beforeAll(async () => {
  await seedAndPublish();
  demoTracks = (
    await env.DB.prepare("SELECT id, artist_id AS artistId, genre FROM tracks ORDER BY id LIMIT 400").all<{
      id: string;
      artistId: string;
      genre: string;
    }>()
  ).results;
}, 300_000);

describe("radio", () => {
  it("never repeats a track over many pages, and a cursor asked for again answers the same page", async () => {
    const seed = demoTracks[0]!.id;
    let current = await page("radio-pages", `seed=track:${seed}&limit=25`);
    expect(current.station).toMatchObject({ seed: `track:${seed}`, served: 25 });
    const served = new Set<string>();
    const cursors: string[] = [];
    for (let p = 0; p < 30; p++) {
      expect(current.tracks, `page ${p}`).toHaveLength(25);
      for (const t of current.tracks) {
        expect(served.has(t.id), `page ${p}: ${t.id} again`).toBe(false);
        served.add(t.id);
      }
      expect(current.tracks.map((t) => t.position)).toEqual(current.tracks.map((_, i) => p * 25 + i + 1));
      cursors.push(current.cursor!);
      current = await page("radio-pages", `${cursorQuery(current.cursor!)}&limit=25`);
    }
    console.log(`radio: ${served.size} tracks over 30 pages of one station, none twice`);
    expect(served.size).toBe(750);
    // A client retrying a page gets it again, and the station does not move on for it.
    const again = await page("radio-pages", `${cursorQuery(cursors[3]!)}&limit=25`);
    const fresh = await page("radio-pages", `${cursorQuery(cursors[3]!)}&limit=25`);
    expect(fresh.tracks.map((t) => t.id)).toEqual(again.tracks.map((t) => t.id));
    expect(again.station.served).toBe(775);
  });

  it("starts from a track, an artist, a genre or a list, and sounds like its seed", async () => {
    const seedTrack = demoTracks[1]!;
    const byTrack = await page("radio-kinds", `seed=track:${seedTrack.id}`);
    expect(byTrack.tracks).toHaveLength(20);
    expect(byTrack.tracks.filter((t) => t.genre === seedTrack.genre).length).toBeGreaterThanOrEqual(14);
    expect(byTrack.tracks.every((t) => t.reason.text.length > 0)).toBe(true);
    expect(byTrack.tracks.map((t) => t.reason.code)).toContain("similar_to_seed");

    const artist = demoTracks[2]!.artistId;
    const byArtist = await page("radio-kinds", `seed=artist:${artist}`);
    expect(byArtist.station.seed).toBe(`artist:${artist}`);
    expect(byArtist.tracks.some((t) => t.artist.id === artist)).toBe(true);

    const genre = demoTracks[3]!.genre;
    const byGenre = await page("radio-kinds", `seed=genre:${encodeURIComponent(genre.toUpperCase())}`);
    expect(byGenre.station.seed).toBe(`genre:${genre}`);
    const share = byGenre.tracks.filter((t) => t.genre === genre).length / byGenre.tracks.length;
    console.log(`radio: genre station ${genre}: ${(share * 100).toFixed(0)}% of its first page in the genre`);
    expect(share).toBeGreaterThanOrEqual(0.8);

    const list = await freezeDiscoverWeekly(
      "radio-kinds",
      demoTracks.slice(10, 20).map((t) => t.id),
    );
    const byList = await page("radio-kinds", "seed=playlist:discover-weekly&timeZone=UTC");
    expect(byList.station).toMatchObject({ seed: "playlist:discover-weekly", title: "Discover Weekly Radio" });
    expect(byList.tracks).toHaveLength(20);
    expect(list.tracks.length).toBe(10);
  });

  it("steers away from a sound skipped early twice", async () => {
    // Two listeners on the same station seed: one skips two tracks of the first page within
    // seconds, the other does nothing. Their second pages differ only by those skips.
    const seed = `genre:${demoTracks[5]!.genre}`;
    const skipper = await page("radio-skipper", `seed=${encodeURIComponent(seed)}`);
    const steady = await page("radio-steady", `seed=${encodeURIComponent(seed)}`);
    expect(skipper.tracks.map((t) => t.id)).toEqual(steady.tracks.map((t) => t.id));
    const skipped = skipper.tracks.slice(1, 3);
    const context = { playlistId: skipper.station.id, source: "radio" };
    await post(
      "radio-skipper",
      skipped.flatMap((t, i) => [
        { id: `skip-play-${i}`, trackId: t.id, type: "play", device: "phone", context },
        { id: `skip-${i}`, trackId: t.id, type: "skip", positionMs: 6_000, device: "phone", context },
      ]),
    );
    const steered = await page("radio-skipper", cursorQuery(skipper.cursor!));
    const unsteered = await page("radio-steady", cursorQuery(steady.cursor!));
    const before = closeness(unsteered.tracks, skipped),
      after = closeness(steered.tracks, skipped);
    const skippedArtists = new Set(skipped.map((t) => t.artist.id));
    const ofSkippedArtists = (p: RadioPage) => p.tracks.filter((t) => skippedArtists.has(t.artist.id)).length;
    console.log(
      `radio: next page's closeness to the two tracks skipped early ${before.toFixed(3)} without the skips, ${after.toFixed(3)} with them; tracks of their artists ${ofSkippedArtists(unsteered)} -> ${ofSkippedArtists(steered)}`,
    );
    expect(after).toBeLessThan(before - 0.02);
    expect(ofSkippedArtists(steered)).toBeLessThanOrEqual(ofSkippedArtists(unsteered));
    expect(steered.personalized).toBe(true);
  });

  it("answers bad seeds and cursors with problems naming them", async () => {
    const listener = "radio-bad";
    await expectProblem(await radio(listener, "seed=track:trk-none"), 404, "seed");
    await expectProblem(await radio(listener, "seed=artist:art-none"), 404, "seed");
    await expectProblem(await radio(listener, "seed=genre:polka"), 404, "seed");
    // A listener with no history has no sixth daily mix (whatever generators are registered), and no own list has this id.
    await expectProblem(await radio(listener, "seed=playlist:daily-mix-6"), 404, "seed");
    await expectProblem(await radio(listener, "seed=playlist:my-list"), 404, "seed");
    for (const bad of ["seed=song:x", "seed=track:", "seed=track:a%20b", "seed=genre:", ""]) {
      await expectProblem(await radio(listener, bad), 400, "seed");
    }
    await expectProblem(await radio(listener, "cursor=st_0123.1"), 400, "cursor");
    await expectProblem(await radio(listener, "cursor=st_0123456789abcdef.0"), 404, "cursor");

    const own = await page(listener, `seed=track:${demoTracks[7]!.id}&limit=5`);
    // Another listener's cursor names a station that listener does not have.
    await expectProblem(await radio("radio-other", cursorQuery(own.cursor!)), 404, "cursor");
    const [id] = own.cursor!.split(".");
    await expectProblem(await radio(listener, cursorQuery(`${id}.50`)), 400, "cursor");
    await expectProblem(await radio(listener, `${cursorQuery(own.cursor!)}&seed=genre:rock`), 400, "cursor");
    await expectProblem(await radio(listener, `${cursorQuery(own.cursor!)}&limit=0`), 400, "limit");
    expect((await page(listener, `${cursorQuery(own.cursor!)}&seed=track:${demoTracks[7]!.id}`)).tracks).toHaveLength(
      20,
    );
  });

  it("keeps a bounded number of stations, and the export lists them", async () => {
    const listener = "radio-many";
    const first = await page(listener, `seed=track:${demoTracks[30]!.id}&limit=3`);
    for (let i = 0; i < 20; i++) await page(listener, `seed=track:${demoTracks[31 + i]!.id}&limit=1`);
    await expectProblem(await radio(listener, cursorQuery(first.cursor!)), 404, "cursor");
    const exported = await json<{ radioStations: { id: string; served: unknown[] }[] }>(
      await edge("/v1/me/export", { headers: await asListener(listener) }),
    );
    expect(exported.radioStations).toHaveLength(20);
    expect(exported.radioStations.every((s) => s.served.length === 1)).toBe(true);
  });
});

interface SpeakerAnswer {
  trackId?: string;
  say: string;
  playlist?: { kind: string; position: number; of: number };
  station?: { id: string; title: string };
  ended?: boolean;
}

describe("the speaker plays a list where the listener left off", () => {
  const speakerNext = async (listener: string, query: string) =>
    json<SpeakerAnswer>(await edge(`/v1/speaker/next?${query}`, { headers: await asListener(listener, "speaker") }));

  it("goes on after the track the phone played, moves on as it plays, and says when the list ends", async () => {
    const listener = "speaker-list";
    const ids = demoTracks.slice(40, 48).map((t) => t.id);
    await freezeDiscoverWeekly(listener, ids);
    const next = () => speakerNext(listener, "playlist=discover-weekly&timeZone=UTC");
    // Played now, after whatever the speaker served (a report older than that moves nothing).
    const playOnPhone = (n: number, id: string) =>
      post(listener, [
        {
          timestamp: Date.now(),
          id: `phone-${id}`,
          trackId: ids[n - 1],
          type: "play",
          device: "phone",
          context: { playlistId: "discover-weekly", source: "playlist" },
        },
      ]);

    expect(await next()).toMatchObject({ trackId: ids[0], playlist: { kind: "discover-weekly", position: 1, of: 8 } });
    await playOnPhone(5, "a");
    expect(await next()).toMatchObject({ trackId: ids[5], playlist: { position: 6 } });
    expect(await next()).toMatchObject({ trackId: ids[6], playlist: { position: 7 } });
    // Back on the phone to the second track: the speaker goes on with the third.
    await playOnPhone(2, "b");
    expect((await next()).trackId).toBe(ids[2]);
    // A play from another list, or of a track not in it, moves nothing.
    await post(listener, [
      { timestamp: Date.now(), id: "elsewhere", trackId: ids[7], type: "play", context: { source: "search" } },
      {
        timestamp: Date.now(),
        id: "not-in-it",
        trackId: demoTracks[99]!.id,
        type: "play",
        context: { playlistId: "discover-weekly" },
      },
    ]);
    expect((await next()).trackId).toBe(ids[3]);
    await playOnPhone(8, "c");
    const end = await next();
    expect(end).toMatchObject({ ended: true, playlist: { position: 8, of: 8 } });
    expect(end.say).toMatch(/end of Discover Weekly/);
    expect(end.trackId).toBeUndefined();

    const exported = await json<{ listProgress: { listId: string; position: number }[] }>(
      await edge("/v1/me/export", { headers: await asListener(listener) }),
    );
    expect(exported.listProgress).toEqual([expect.objectContaining({ listId: "discover-weekly", position: 8 })]);

    // The list a play came from travels with the event to D1, where completion can be counted.
    const pseudonym = await pseudonymOf(listener);
    const stored = await waitFor("the phone's plays in D1", async () => {
      const rows = await env.DB.prepare("SELECT context FROM events WHERE listener_id = ? AND event_id LIKE 'phone-%'")
        .bind(pseudonym)
        .all<{ context: string }>();
      return rows.results.length === 3 && rows.results;
    });
    for (const row of stored)
      expect(JSON.parse(row.context)).toEqual({ playlistId: "discover-weekly", source: "playlist" });
  });

  it("plays an own playlist where the phone left off, and starts a station from it", async () => {
    const listener = "speaker-own";
    const ids = demoTracks.slice(120, 126).map((t) => t.id);
    const created = await edge(
      "/v1/me/playlists",
      jsonBody("POST", { name: "Road trip", trackIds: ids }, await asListener(listener)),
    );
    const { id } = await json<{ id: string }>(created, 201);
    await post(listener, [
      { timestamp: Date.now(), id: "own-3", trackId: ids[2], type: "play", context: { playlistId: id } },
    ]);
    expect(await speakerNext(listener, `playlist=${id}`)).toMatchObject({
      trackId: ids[3],
      playlist: { id, title: "Road trip", position: 4, of: 6 },
    });
    const station = await page(listener, `seed=playlist:${id}`);
    expect(station.station.title).toBe("Road trip Radio");
    expect(station.tracks.length).toBeGreaterThan(0);
    await expectProblem(await radio(listener, "seed=playlist:pl-00000000000000000000"), 404, "seed");
  });

  it("answers a list the listener does not have with a 404, and refuses asking for two things", async () => {
    const res = await edge("/v1/speaker/next?playlist=daily-mix-6", {
      headers: await asListener("speaker-none", "speaker"),
    });
    await expectProblem(res, 404);
    await expectProblem(
      await edge("/v1/speaker/next?playlist=discover-weekly&radio=genre:rock", {
        headers: await asListener("speaker-none", "speaker"),
      }),
      400,
      "playlist",
    );
  });

  it("plays a radio station one track at a time, never one twice", async () => {
    const listener = "speaker-radio";
    const first = await speakerNext(listener, `radio=track:${demoTracks[60]!.id}`);
    expect(first.trackId).toBeTruthy();
    const seen = [first.trackId];
    for (let i = 0; i < 10; i++) {
      const next = await speakerNext(listener, `station=${first.station!.id}`);
      expect(next.station!.id).toBe(first.station!.id);
      expect(seen).not.toContain(next.trackId);
      seen.push(next.trackId);
    }
  });
});
