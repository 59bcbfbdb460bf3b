import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { asListener, edge, json, jsonBody, seedAndPublish, type RecommendationsView } from "./helpers";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The live session changes the very next answer, on the running workers with the seeded demo data. */
async function recommendations(listener: string, query = "") {
  return json<RecommendationsView>(
    await edge(`/v1/me/recommendations?limit=20${query}`, { headers: await asListener(listener) }),
  );
}

async function post(listener: string, events: object[]) {
  const now = Date.now();
  const body = {
    events: events.map((e, i) => ({ listenerId: listener, timestamp: now - (events.length - i) * 1000, ...e })),
  };
  await json(await edge("/v1/events", jsonBody("POST", body, await asListener(listener))), 202);
}

async function featuresOf(ids: string[]) {
  const rows = await env.DB.prepare(`SELECT energy, tempo FROM tracks WHERE id IN (${ids.map(() => "?").join(",")})`)
    .bind(...ids)
    .all<{ energy: number; tempo: number }>();
  const mean = (k: "energy" | "tempo") => rows.results.reduce((s, r) => s + r[k], 0) / rows.results.length;
  return { energy: mean("energy"), tempo: mean("tempo") };
}

describe("session context changes the next answer", () => {
  beforeAll(async () => {
    await seedAndPublish();
  }, 300_000);

  afterEach(() => vi.useRealTimers());

  /**
   * The seeded data is the same on every date (shared/demo/calendar.ts, tested across a year); what
   * still changes from day to day is the request's own clock: the daily exploration draw and the
   * hour. So the comparison is made at request times across the week after seeding, one per day at
   * different hours, on the edge's clock (the edge and its session objects run in this isolate).
   */
  it.each([0, 1, 2, 3, 4, 5, 6])(
    "a workout top 20 is more energetic and faster than a sleep top 20 for the same listener, %i days on",
    async (days) => {
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + days * DAY_MS + days * 3 * HOUR_MS });
      // Over several listeners: how far context can move a list depends on how varied a listener's candidates are.
      const gaps: { energy: number; tempo: number }[] = [];
      for (let n = 1; n <= 8; n++) {
        const listener = `demo-${n}`;
        const workout = await featuresOf((await recommendations(listener, "&activity=workout")).items.map((i) => i.id));
        const sleep = await featuresOf((await recommendations(listener, "&activity=sleep")).items.map((i) => i.id));
        gaps.push({ energy: workout.energy - sleep.energy, tempo: workout.tempo - sleep.tempo });
      }
      const mean = (k: "energy" | "tempo") => gaps.reduce((s, g) => s + g[k], 0) / gaps.length;
      console.log(
        `${new Date().toISOString()}: workout minus sleep, top 20 of 8 listeners: energy ${mean("energy").toFixed(3)}, tempo ${mean("tempo").toFixed(1)}, least energy gap ${Math.min(...gaps.map((g) => g.energy)).toFixed(3)}`,
      );
      for (const gap of gaps) {
        expect(gap.energy).toBeGreaterThan(0);
        expect(gap.tempo).toBeGreaterThan(0);
      }
      expect(mean("energy")).toBeGreaterThan(0.05);
      expect(mean("tempo")).toBeGreaterThan(4);
    },
  );

  it("an early skip ranks the track's artist lower at once", async () => {
    const before = await recommendations("demo-4");
    const skipped = before.items[0]!;
    const artistRanks = (r: RecommendationsView) =>
      r.items.flatMap((item, i) => (item.artist.id === skipped.artist.id ? [i] : []));
    await post("demo-4", [
      { id: "adapt-skip-1p", trackId: skipped.id, type: "play", device: "phone" },
      { id: "adapt-skip-1s", trackId: skipped.id, type: "skip", positionMs: 4000, device: "phone" },
    ]);
    const after = await recommendations("demo-4");
    expect(after.items.map((i) => i.id)).not.toContain(skipped.id);
    const [firstBefore] = artistRanks(before);
    const [firstAfter = Infinity] = artistRanks(after);
    expect(firstAfter).toBeGreaterThan(firstBefore!);
  });

  it("completing and repeating a track brings its neighbours up", async () => {
    const before = await recommendations("demo-5");
    const { results } = await env.DB.prepare(
      "SELECT id FROM tracks WHERE genre = (SELECT genre FROM tracks WHERE id = ?) ORDER BY id LIMIT 1 OFFSET 7",
    )
      .bind(before.items[0]!.id)
      .all<{ id: string }>();
    const loved = results[0]!.id;
    const similar = await json<{ items: { id: string }[] }>(
      await edge(`/v1/tracks/${loved}/similar?limit=20`, { headers: await asListener("demo-5") }),
    );
    const neighbours = new Set(similar.items.map((i) => i.id));
    await post("demo-5", [
      { id: "adapt-love-p", trackId: loved, type: "play" },
      { id: "adapt-love-c", trackId: loved, type: "complete" },
      { id: "adapt-love-r", trackId: loved, type: "repeat" },
      { id: "adapt-love-c2", trackId: loved, type: "complete" },
    ]);
    const after = await recommendations("demo-5");
    const count = (r: RecommendationsView) => r.items.filter((i) => neighbours.has(i.id)).length;
    expect(count(after)).toBeGreaterThan(count(before));
    expect(
      after.items.some((i) => i.reason.code === "because_you_played" || i.reason.code === "similar_to_liked"),
    ).toBe(true);
  });

  it("playback moves from phone to speaker through the one session", async () => {
    const { items } = await recommendations("demo-6");
    await post("demo-6", [
      { id: "adapt-move-p", trackId: items[0]!.id, type: "play", positionMs: 60_000, device: "phone" },
    ]);
    const playing = await json<{ nowPlaying: { track: { id: string }; device: string; positionMs: number } }>(
      await edge("/v1/me/now-playing", { headers: await asListener("demo-6") }),
    );
    expect(playing.nowPlaying).toMatchObject({ track: { id: items[0]!.id }, device: "phone" });
    expect(playing.nowPlaying.positionMs).toBeGreaterThanOrEqual(60_000);

    const next = await json<{ trackId: string; say: string }>(
      await edge("/v1/speaker/next", { headers: await asListener("demo-6", "speaker") }),
    );
    expect(next.trackId).not.toBe(items[0]!.id);
    expect(next.say).toMatch(/ by /);
  });

  it("a new listener who picks a genre gets recommendations from it at once", async () => {
    const listener = "onboarding-new-listener";
    const before = await recommendations(listener);
    expect(before.source).toBe("charts");
    const seeded = await json<{ seedTracks: string[]; accepted: number }>(
      await edge(`/v1/me/onboarding`, jsonBody("POST", { genres: ["metal"] }, await asListener(listener))),
      202,
    );
    expect(seeded.seedTracks).toHaveLength(5);
    const after = await recommendations(listener);
    expect(after.source).toBe("history");
    expect(after.items.filter((i) => i.genre === "metal").length).toBeGreaterThanOrEqual(10);
    const unknown = await edge(
      `/v1/me/onboarding`,
      jsonBody("POST", { genres: ["polka-core"] }, await asListener(listener)),
    );
    expect(unknown.status).toBe(422);
  });
});
