import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bulkInsertStatements, runInBatches } from "../../shared/db/bulk";
import { CONTENT_WINDOW, contentNeighboursQuery } from "../../shared/db/queries";
import { trackRow } from "../../shared/db/rows";
import { tracks } from "../../shared/db/schema";
import { seededRandom } from "../../shared/util/random";
import { asClient, edge, json } from "./helpers";

/** A genre far larger than the window a track's content neighbours are read from. */
const GENRE_TRACKS = 5_000;

interface Sound {
  id: string;
  energy: number;
  valence: number;
  danceability: number;
  tempo: number;
}

/** The distance contentNeighbours ranks by. */
const distance = (a: Sound, b: Sound) =>
  Math.abs(a.energy - b.energy) +
  Math.abs(a.valence - b.valence) +
  Math.abs(a.danceability - b.danceability) +
  Math.abs(a.tempo - b.tempo) / 100;

/** Into D1 as an import writes them (D1 computes the sound key). */
async function insertTracks(rows: readonly Sound[], genre: string): Promise<void> {
  const catalog = rows.map(({ id, ...sound }) => ({
    ...{ id, title: id, artistId: `art-${id}`, artistName: "Artist", albumId: `alb-${id}`, albumTitle: "Album" },
    ...{ genre, releaseDate: "2026-01-01" },
    features: {
      ...sound,
      ...{ acousticness: 0.5, instrumentalness: 0.1, speechiness: 0.1, loudness: -8, key: 1, mode: 1 as const },
      durationMs: 200_000,
    },
  }));
  await runInBatches(env.DB, bulkInsertStatements(env.DB, tracks, catalog.map(trackRow), "ignore"));
}

describe("content neighbours of a track outside the model", () => {
  it("are the closest in sound of a bounded read of its genre, however large the genre", async () => {
    const random = seededRandom(17);
    const feature = () => Math.round(random() * 1e4) / 1e4;
    const genre: Sound[] = Array.from({ length: GENRE_TRACKS }, (_, i) => ({
      id: `drone-${String(i).padStart(4, "0")}`,
      energy: feature(),
      valence: feature(),
      danceability: feature(),
      tempo: 60 + 140 * feature(),
    }));
    await insertTracks(genre, "drone");
    const seed = genre[1234]!;

    // No model is published: the route answers from D1's content search.
    const similar = await json<{ source: string; items: { id: string; genre: string }[] }>(
      await edge(`/v1/tracks/${seed.id}/similar?limit=10`, { headers: asClient }),
    );
    expect(similar.source).toBe("content");
    expect(similar.items).toHaveLength(10);
    const byId = new Map(genre.map((t) => [t.id, t]));
    const found = similar.items.map((item) => byId.get(item.id)!);
    expect(found.every(Boolean)).toBe(true);
    expect(found.map((t) => t.id)).not.toContain(seed.id);
    const distances = found.map((t) => distance(seed, t));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));

    // Close to the exact answer: the ten found are on average within twice the distance of the exact ten.
    const exact = genre
      .filter((t) => t.id !== seed.id)
      .map((t) => distance(seed, t))
      .sort((a, b) => a - b)
      .slice(0, 10);
    const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
    expect(mean(distances)).toBeLessThan(2 * mean(exact));

    // The read is bounded by the window, not the genre's size: an index entry and its row a track, either side.
    const { meta } = await contentNeighboursQuery(env.DB, seed.id, 10).all();
    expect(meta.rows_read).toBeLessThanOrEqual(4 * CONTENT_WINDOW + 10);
    expect(meta.rows_read).toBeLessThan(GENRE_TRACKS / 5);
  });

  it("D1 keeps each track's sound key: the features' levels with their bits interleaved", async () => {
    const loud = { id: "key-loud", energy: 1, valence: 0, danceability: 0, tempo: 40 };
    const quiet = { id: "key-quiet", energy: 0, valence: 0, danceability: 0, tempo: 40 };
    const fast = { id: "key-fast", energy: 0, valence: 0, danceability: 0, tempo: 240 };
    const middle = { id: "key-middle", energy: 0.5, valence: 0.5, danceability: 0.5, tempo: 140 };
    await insertTracks([loud, quiet, fast, middle], "keys");
    const { results } = await env.DB.prepare(
      "SELECT id, sound_key AS key FROM tracks WHERE genre = 'keys' ORDER BY id",
    ).all<{ id: string; key: number }>();
    expect(Object.fromEntries(results.map((r) => [r.id, r.key]))).toEqual({
      // Energy is bit 0 of each group of four: level 15 sets bits 0, 4, 8 and 12.
      "key-loud": 0x1111,
      "key-quiet": 0,
      // Tempo is bit 3: level 15 sets bits 3, 7, 11 and 15.
      "key-fast": 0x8888,
      // Level 8 of every feature is its top bit alone: bits 12 to 15.
      "key-middle": 0xf000,
    });
  });
});
