/** Ranking metrics for one listener: `ranked` is the recommended list best first, `relevant` the held-out items. */

export function hitsAtK(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  return ranked.slice(0, k).filter((item) => relevant.has(item)).length;
}

/** Hits over the most hits possible, min(k, |relevant|), so a listener with 3 held-out items can reach 1. */
export function recallAtK(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  const possible = Math.min(k, relevant.size);
  return possible === 0 ? 0 : hitsAtK(ranked, relevant, k) / possible;
}

export function hitRateAtK(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  return hitsAtK(ranked, relevant, k) > 0 ? 1 : 0;
}

/** Binary-relevance NDCG: DCG over the top k divided by the DCG of min(k, |relevant|) hits at the top. */
export function ndcgAtK(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  const discount = (rank: number) => 1 / Math.log2(rank + 2);
  let dcg = 0;
  ranked.slice(0, k).forEach((item, rank) => {
    if (relevant.has(item)) dcg += discount(rank);
  });
  let ideal = 0;
  for (let rank = 0; rank < Math.min(k, relevant.size); rank++) ideal += discount(rank);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Distinct recommended items over the catalogue size that could have been recommended. */
export function catalogCoverage(lists: readonly (readonly number[])[], catalogSize: number): number {
  return catalogSize === 0 ? 0 : new Set(lists.flat()).size / catalogSize;
}

/** Mean of popularity[item] over every recommended slot. */
export function meanPopularity(lists: readonly (readonly number[])[], popularity: ArrayLike<number>): number {
  const slots = lists.flat();
  return slots.length === 0 ? 0 : slots.reduce((sum, item) => sum + popularity[item]!, 0) / slots.length;
}

/** Mean pairwise dissimilarity (1 - similarity) within one list; 0 for lists shorter than two. */
export function intraListDiversity(list: readonly number[], similarity: (a: number, b: number) => number): number {
  let sum = 0,
    pairs = 0;
  for (let a = 0; a < list.length; a++) {
    for (let b = a + 1; b < list.length; b++) {
      sum += 1 - similarity(list[a]!, list[b]!);
      pairs++;
    }
  }
  return pairs === 0 ? 0 : sum / pairs;
}

/**
 * The "head": the most popular items that together hold `share` of all interactions (popularity[item] is
 * the item's interaction count). Everything else is the long tail.
 */
export function headItems(popularity: ArrayLike<number>, share = 0.8): Set<number> {
  const order = Array.from({ length: popularity.length }, (_, i) => i)
    .filter((i) => popularity[i]! > 0)
    .sort((a, b) => popularity[b]! - popularity[a]! || a - b);
  const total = order.reduce((sum, i) => sum + popularity[i]!, 0);
  const head = new Set<number>();
  let covered = 0;
  for (const i of order) {
    if (covered >= share * total) break;
    head.add(i);
    covered += popularity[i]!;
  }
  return head;
}

export function longTailShare(lists: readonly (readonly number[])[], head: ReadonlySet<number>): number {
  const slots = lists.flat();
  return slots.length === 0 ? 0 : slots.filter((item) => !head.has(item)).length / slots.length;
}
