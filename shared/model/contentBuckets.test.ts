import { describe, expect, it } from "vitest";
import { seededRandom } from "../util/random";
import { finish } from "../util/sliced";
import { contentNeighbourRows, contentVectors } from "./content";
import { bucketOptions, ContentBuckets } from "./contentBuckets";
import { transpose } from "./sparse";
import type { ItemContent, Scored } from "./types";

/** Items with `dims` random audio features, and a tag from a small vocabulary on some. */
function randomContent(items: number, dims: number, seed: number): ItemContent[] {
  const random = seededRandom(seed);
  return Array.from({ length: items }, () => ({
    features: Array.from({ length: dims }, () => random()),
    tags: random() < 0.5 ? [`genre:${Math.floor(random() * 8)}`] : [],
  }));
}

function exact(content: ItemContent[], k: number): Scored[][] {
  const vectors = contentVectors(content);
  return finish(contentNeighbourRows(vectors, transpose(vectors), k, 0, vectors.rows));
}

function approximate(content: ItemContent[], k: number, options = bucketOptions(content.length, 7)) {
  const vectors = contentVectors(content);
  const buckets = finish(ContentBuckets.build(vectors, options));
  return { rows: finish(buckets.neighbourRows(k, 0, vectors.rows)), buckets };
}

describe("content neighbours in buckets", () => {
  it("are the exact neighbours when one bucket holds every item", () => {
    const content = randomContent(300, 6, 1);
    const { rows } = approximate(content, 10, { tables: 1, bits: 0, window: 300, seed: 3 });
    const round = (rows: Scored[][]) => rows.map((row) => row.map((n) => [n.item, Math.fround(n.score)]));
    expect(round(rows)).toEqual(round(exact(content, 10)));
  });

  it("find most of the exact neighbours of a random catalogue", () => {
    const content = randomContent(2_000, 10, 2);
    const truth = exact(content, 10);
    const { rows } = approximate(content, 10);
    let found = 0,
      total = 0;
    rows.forEach((row, i) => {
      const kept = new Set(row.map((n) => n.item));
      total += truth[i]!.length;
      found += truth[i]!.filter((n) => kept.has(n.item)).length;
    });
    expect(found / total).toBeGreaterThan(0.85);
  }, 30_000);

  it("compare an item with at most tables x window others, however the items fall into buckets", () => {
    // Every item the same: one bucket of all, in every table.
    const content = Array.from({ length: 2_000 }, (_, i) => ({ features: [1, 2, 3], tags: [`t${i % 2}`] }));
    const options = bucketOptions(content.length, 7);
    const { rows, buckets } = approximate(content, 10, options);
    expect(buckets.comparisons).toBeLessThanOrEqual(content.length * options.tables * options.window);
    expect(rows.every((row) => row.length === 10)).toBe(true);
  });

  it("give an item without content no neighbours", () => {
    const content = [...randomContent(50, 4, 3), {}];
    const { rows } = approximate(content, 5);
    expect(rows[50]).toEqual([]);
    expect(rows.slice(0, 50).every((row) => row.every((n) => n.item !== 50))).toBe(true);
  });
});
