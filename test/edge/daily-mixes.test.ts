import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { asListener, edge, json, jsonBody, seedAndPublish, withoutRecommendationId } from "./helpers";

const DAY_MS = 86_400_000;
const LISTENERS = Array.from({ length: 12 }, (_, i) => `demo-${i + 1}`);

interface ListView {
  kind: string;
  title: string;
  description: string;
  trackCount: number;
  generatedAt: string;
  validUntil: string;
  personalized: boolean;
  seedArtists: { id: string; name: string }[];
  tracks: { id: string; artist: { id: string; name: string }; genre: string; reason: { code: string; text: string } }[];
}

interface Listing {
  generated: { kind: string; title: string; trackCount: number }[];
}

const listing = async (listener: string) =>
  json<Listing>(await edge("/v1/me/playlists?timeZone=UTC", { headers: await asListener(listener) }));

const mix = async (listener: string, kind: string) =>
  withoutRecommendationId(
    await json<ListView>(await edge(`/v1/me/playlists/${kind}?timeZone=UTC`, { headers: await asListener(listener) })),
  );

/** Every daily mix the listing names for the listener, each as its own route answers it. */
async function dailyMixes(listener: string): Promise<ListView[]> {
  const kinds = (await listing(listener)).generated.map((g) => g.kind).filter((k) => k.startsWith("daily-mix-"));
  return Promise.all(kinds.map((kind) => mix(listener, kind)));
}

async function dislike(listener: string, id: string, trackId: string, target?: "artist") {
  const events = [{ id, trackId, type: "dislike", ...(target ? { target } : {}) }];
  await json(await edge("/v1/events", jsonBody("POST", { events }, await asListener(listener))), 202);
}

const ids = (list: ListView) => list.tracks.map((t) => t.id);
const share = (list: ListView, code: string) =>
  list.tracks.filter((t) => t.reason.code === code).length / list.tracks.length;

describe("daily mixes on the running edge, with the seeded demo", () => {
  beforeAll(async () => {
    await seedAndPublish();
  }, 300_000);

  afterEach(() => vi.useRealTimers());

  it("gives each demo listener 1 to 6 mixes of different tastes, named by genres and lead artists", async () => {
    const counts: number[] = [];
    for (const listener of LISTENERS) {
      const mixes = await dailyMixes(listener);
      counts.push(mixes.length);
      expect(mixes.length, listener).toBeGreaterThanOrEqual(1);
      expect(mixes.length, listener).toBeLessThanOrEqual(6);
      expect(mixes.map((m) => m.kind)).toEqual(mixes.map((_, i) => `daily-mix-${i + 1}`));
      const summary: string[] = [];
      mixes.forEach((m, i) => {
        const [, genres, leads] = /^Daily Mix (?:\d): (.+?) · (.+?)(?: \.\.\.)?$/.exec(m.title) ?? [];
        expect(genres, m.title).toBeDefined();
        // The named genres and lead artists are the mix's own.
        for (const genre of genres!.split(", ")) expect(m.tracks.map((t) => t.genre)).toContain(genre);
        for (const lead of leads!.split(", ")) expect(m.tracks.map((t) => t.artist.name)).toContain(lead);
        expect(m.title.startsWith(`Daily Mix ${i + 1}: `)).toBe(true);
        expect(m.personalized).toBe(true);
        expect(m.tracks.length).toBeLessThanOrEqual(50);
        expect(share(m, "familiar")).toBeGreaterThan(0.6);
        expect(share(m, "familiar")).toBeLessThan(0.8);
        summary.push(`${m.title} [${m.tracks.length}, ${Math.round(share(m, "familiar") * 100)}% familiar]`);
      });
      // Mixes differ: no track in two of them, and each names a genre set of its own.
      const all = mixes.flatMap(ids);
      expect(new Set(all).size, listener).toBe(all.length);
      const genreSets = mixes.map((m) => /: (.+?) · /.exec(m.title)![1]);
      expect(new Set(genreSets).size, listener).toBe(genreSets.length);
      console.log(`${listener}: ${summary.join(" | ")}`);
    }
    console.log(`daily mixes per listener, ${LISTENERS.length} demo listeners: ${counts.join(", ")}`);
    // The demo listeners are not all alike: some have one taste, others several.
    expect(new Set(counts).size).toBeGreaterThan(1);
  });

  it("stays the same all day and is made anew the next day", async () => {
    // An hour into a UTC day a few days on, so the day does not turn during the test.
    const start = (Math.floor(Date.now() / DAY_MS) + 3) * DAY_MS + 3_600_000;
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    const morning = await mix("demo-7", "daily-mix-1");
    vi.setSystemTime(start + 20 * 3_600_000);
    const evening = await mix("demo-7", "daily-mix-1");
    expect(evening).toEqual(morning);
    expect(Date.parse(morning.validUntil)).toBe(Math.floor(start / DAY_MS) * DAY_MS + DAY_MS);

    vi.setSystemTime(start + DAY_MS);
    const tomorrow = await mix("demo-7", "daily-mix-1");
    expect(Date.parse(tomorrow.generatedAt)).toBe(start + DAY_MS);
    expect(Date.parse(tomorrow.validUntil)).toBe(Date.parse(morning.validUntil) + DAY_MS);
    expect(ids(tomorrow)).not.toEqual(ids(morning));
    // The same tastes, drawn anew: the mix keeps its name and much of its favourites.
    expect(tomorrow.title).toBe(morning.title);
    const kept = ids(tomorrow).filter((id) => ids(morning).includes(id)).length;
    console.log(`demo-7 daily mix 1: ${kept} of ${ids(tomorrow).length} tracks also there the day before`);
  });

  it("takes a disliked track, then a disliked artist, out of every mix at the very next request", async () => {
    let mixes: ListView[] = [];
    let who = LISTENERS[0]!;
    for (const candidate of LISTENERS) {
      mixes = await dailyMixes(candidate);
      who = candidate;
      if (mixes.length >= 2) break;
    }
    expect(mixes.length).toBeGreaterThanOrEqual(2);
    const track = mixes[0]!.tracks[0]!;
    await dislike(who, "daily-mix-dislike-track", track.id);
    const afterTrack = await dailyMixes(who);
    expect(afterTrack.map((m) => m.kind)).toEqual(mixes.map((m) => m.kind));
    for (const m of afterTrack) expect(ids(m)).not.toContain(track.id);
    expect(afterTrack[0]!.tracks.length).toBe(mixes[0]!.tracks.length - 1);
    // The lists stand frozen: only the disliked track left them.
    expect(ids(afterTrack[0]!)).toEqual(ids(mixes[0]!).filter((id) => id !== track.id));

    const artist = mixes[1]!.tracks.find((t) => t.artist.id !== track.artist.id)!.artist;
    await dislike(
      who,
      "daily-mix-dislike-artist",
      mixes[1]!.tracks.find((t) => t.artist.id === artist.id)!.id,
      "artist",
    );
    const afterArtist = await dailyMixes(who);
    for (const m of afterArtist) {
      expect(m.tracks.map((t) => t.artist.id)).not.toContain(artist.id);
      expect(m.seedArtists.map((a) => a.id)).not.toContain(artist.id);
    }
    const removed = mixes.flatMap((m) => m.tracks).filter((t) => t.artist.id === artist.id).length;
    const before = mixes.reduce((sum, m) => sum + m.tracks.length, 0);
    const after = afterArtist.reduce((sum, m) => sum + m.tracks.length, 0);
    expect(after).toBe(before - 1 - removed);
    // The listing counts what is served.
    const counted = (await listing(who)).generated.filter((g) => g.kind.startsWith("daily-mix-"));
    expect(counted.map((g) => g.trackCount)).toEqual(afterArtist.map((m) => m.tracks.length));
    console.log(
      `${who}: a track dislike took 1 track out, an artist dislike ${removed} more, across ${mixes.length} mixes`,
    );
  });

  it("without consent, answers genre mixes of the chart that say they are not personal", async () => {
    const listener = "daily-mix-no-consent";
    await json(await edge("/v1/me/consent", jsonBody("PUT", { personalization: false }, await asListener(listener))));
    const first = await mix(listener, "daily-mix-1");
    expect(first.personalized).toBe(false);
    expect(first.description).toMatch(/not made from your listening/);
    expect(first.title).toMatch(/^Daily Mix 1: .+ · /);
    expect(first.tracks.every((t) => t.reason.code === "popular_in_region")).toBe(true);
  });
});
