import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin } from "./operator";

const track = (i: number) => ({
  id: `bulk-track-${i}`,
  title: `It's track ${i}, "quoted"`,
  artistId: `bulk-artist-${i % 2}`,
  artistName: "O'Brien",
  albumId: "bulk-album",
  albumTitle: "Album",
  genre: "folk",
  releaseDate: "2020-01-01",
  features: {
    ...{ tempo: 100, energy: 0.5, valence: 0.5, danceability: 0.5, acousticness: 0.5 },
    ...{ instrumentalness: 0.1, speechiness: 0.05, loudness: -8, key: 1, mode: 1, durationMs: 200_000 },
  },
});

const post = (path: string, body: unknown) =>
  admin(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n;

describe("bulk imports", () => {
  it("store tracks with quotes and NULs in their text as given", async () => {
    const res = await post("/import/tracks", { rows: [track(0), track(1), { ...track(2), title: "nul\u0000inside" }] });
    expect(await res.json()).toEqual({ accepted: 3, rejected: [] });
    expect(await env.DB.prepare("SELECT title FROM tracks WHERE id = 'bulk-track-2'").first()).toEqual({
      title: "nul\u0000inside",
    });
    const row = await env.DB.prepare(
      "SELECT title, artist_name AS artist FROM tracks WHERE id = 'bulk-track-1'",
    ).first();
    expect(row).toEqual({ title: `It's track 1, "quoted"`, artist: "O'Brien" });
  });

  it("write synthetic listening part by part: exactly the events asked, pseudonymised, once", async () => {
    const run = { events: 1000, listeners: 10, items: 3, seed: 4, endAt: Date.now() };
    const first = await post("/import/synthetic-listening", { ...run, from: 0, count: 600 });
    expect(await first.json()).toEqual({ written: 600, newListeners: expect.any(Number), items: 3, endAt: run.endAt });
    const rest = await post("/import/synthetic-listening", { ...run, from: 600, count: 400 });
    expect(((await rest.json()) as { written: number }).written).toBe(400);
    expect(await count("SELECT count(*) AS n FROM events WHERE event_id LIKE 'synthetic-4-%'")).toBe(1000);
    expect(await count("SELECT count(DISTINCT listener_id) AS n FROM events WHERE event_id LIKE 'synthetic-4-%'")).toBe(
      10,
    );
    // Listener ids are the edge's pseudonyms, never the raw synthetic ids.
    expect(await count("SELECT count(*) AS n FROM listeners WHERE id LIKE 'synthetic%'")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM events WHERE listener_id NOT LIKE 'l\\_%' ESCAPE '\\'")).toBe(0);

    const again = await post("/import/synthetic-listening", { ...run, from: 0, count: 1000 });
    expect(((await again.json()) as { written: number }).written).toBe(0);
    expect(await count("SELECT count(*) AS n FROM events WHERE event_id LIKE 'synthetic-4-%'")).toBe(1000);
  });

  it("reject a bad request, or a run over more tracks than the catalog has, with problem details", async () => {
    const bad = await post("/import/synthetic-listening", { events: 10, listeners: 2, from: 8, count: 5 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe("count");
    const tooMany = await post("/import/synthetic-listening", { events: 10, listeners: 2, items: 50, count: 10 });
    expect(tooMany.status).toBe(422);
    expect(await tooMany.json()).toMatchObject({ errors: [{ path: "items", message: "at most 3" }] });
  });
});
