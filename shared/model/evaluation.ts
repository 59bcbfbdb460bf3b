import { evidenceMatrix } from "./interactions";
import {
  catalogCoverage,
  headItems,
  hitRateAtK,
  intraListDiversity,
  longTailShare,
  meanPopularity,
  ndcgAtK,
  recallAtK,
} from "./metrics";
import { listenerCounts } from "./popularity";
import { transpose, type CsrMatrix } from "./sparse";
import type { HoldoutSplit } from "./split";
import type { Scored } from "./types";

export interface Recommender {
  recommend(listener: number, k: number): Scored[];
}

export interface EvaluationReport {
  /** Listeners with held-out items, the ones averaged over. */
  listeners: number;
  recall: number;
  ndcg: number;
  hitRate: number;
  /** Distinct recommended items over items with training interactions. */
  coverage: number;
  /** Mean number of training listeners per recommended item. */
  meanPopularity: number;
  /** Left out when evaluate is given no similarity (`similarity: null`). */
  intraListDiversity?: number;
  /** Share of recommended slots outside the head items holding 80% of training interactions. */
  longTailShare: number;
}

export type ItemSimilarity = (a: number, b: number) => number;

/** Cosine of two items' binary listener sets in a training matrix; the diversity measure when items have no content. */
export function cooccurrenceCosine(evidence: CsrMatrix): ItemSimilarity {
  const byItem = transpose(evidence);
  return (a, b) => {
    let p = byItem.indptr[a]!,
      q = byItem.indptr[b]!,
      shared = 0;
    const pEnd = byItem.indptr[a + 1]!,
      qEnd = byItem.indptr[b + 1]!;
    while (p < pEnd && q < qEnd) {
      const u = byItem.indices[p]!,
        v = byItem.indices[q]!;
      if (u === v) shared++;
      if (u <= v) p++;
      if (v <= u) q++;
    }
    const norm = Math.sqrt((pEnd - byItem.indptr[a]!) * (qEnd - byItem.indptr[b]!));
    return norm === 0 ? 0 : shared / norm;
  };
}

/** One evaluated listener's figures at k: what a paired comparison of two models matches up. */
export interface ListenerScore {
  listener: number;
  ndcg: number;
  recall: number;
}

/**
 * Ranks all items for every listener with held-out items (training items excluded by the recommender) and
 * averages. Diversity is measured with `similarity`, by default co-occurrence cosine, which transposes the
 * training matrix: `null` skips it where that copy would not fit.
 */
export function evaluate(
  recommender: Recommender,
  split: HoldoutSplit,
  options: { k?: number; similarity?: ItemSimilarity | null } = {},
): EvaluationReport {
  return evaluateListeners(recommender, split, options).report;
}

/** evaluate, with each evaluated listener's own figures beside the averages. */
export function evaluateListeners(
  recommender: Recommender,
  split: HoldoutSplit,
  options: { k?: number; similarity?: ItemSimilarity | null } = {},
): { report: EvaluationReport; listeners: ListenerScore[] } {
  const k = options.k ?? 10;
  const evidence = evidenceMatrix(split.train);
  const popularity = listenerCounts(evidence);
  const similarity = options.similarity === undefined ? cooccurrenceCosine(evidence) : options.similarity;
  const lists: number[][] = [];
  const scores: ListenerScore[] = [];
  let recall = 0,
    ndcg = 0,
    hitRate = 0,
    diversity = 0;
  split.heldOut.forEach((items, listener) => {
    if (items.length === 0) return;
    const relevant = new Set(items);
    const ranked = recommender.recommend(listener, k).map((s) => s.item);
    lists.push(ranked);
    const score = { listener, ndcg: ndcgAtK(ranked, relevant, k), recall: recallAtK(ranked, relevant, k) };
    scores.push(score);
    recall += score.recall;
    ndcg += score.ndcg;
    hitRate += hitRateAtK(ranked, relevant, k);
    if (similarity) diversity += intraListDiversity(ranked, similarity);
  });
  const n = Math.max(lists.length, 1);
  const report = {
    listeners: lists.length,
    recall: recall / n,
    ndcg: ndcg / n,
    hitRate: hitRate / n,
    coverage: catalogCoverage(lists, popularity.filter((c) => c > 0).length),
    meanPopularity: meanPopularity(lists, popularity),
    ...(similarity ? { intraListDiversity: diversity / n } : {}),
    longTailShare: longTailShare(lists, headItems(popularity)),
  };
  return { report, listeners: scores };
}
