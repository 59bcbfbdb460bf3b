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

type EvaluationOptions = { k?: number; similarity?: ItemSimilarity | null };

/**
 * Ranks all items for every listener with held-out items (training items excluded by the recommender) and
 * averages. Diversity is measured with `similarity`, by default co-occurrence cosine, which transposes the
 * training matrix: `null` skips it where that copy would not fit.
 */
export function evaluate(
  recommender: Recommender,
  split: HoldoutSplit,
  options: EvaluationOptions = {},
): EvaluationReport {
  return evaluateListeners(recommender, split, options).report;
}

/** evaluate, with each evaluated listener's own figures beside the averages. */
export function evaluateListeners(
  recommender: Recommender,
  split: HoldoutSplit,
  options: EvaluationOptions = {},
): { report: EvaluationReport; listeners: ListenerScore[] } {
  const { progress, listeners } = evaluateRange(recommender, split, EVALUATION_START, split.heldOut.length, options);
  return { report: evaluationReport(progress, split, options), listeners };
}

/**
 * Where an evaluation of listeners in index order stands: its running sums, carried on in order by the next
 * range, so an evaluation cut into ranges (a Workflow step each) adds up to exactly the figures of one run
 * in a go. As JSON it round-trips exactly.
 */
export interface EvaluationProgress {
  /** The first listener not yet evaluated. */
  next: number;
  recall: number;
  ndcg: number;
  hitRate: number;
  diversity: number;
  /** Each evaluated listener's top k, in listener order: coverage, popularity and the long tail are read from them. */
  lists: number[][];
}

export const EVALUATION_START: EvaluationProgress = {
  next: 0,
  recall: 0,
  ndcg: 0,
  hitRate: 0,
  diversity: 0,
  lists: [],
};

/** Evaluates listeners from `progress.next` up to `to`, answering the progress after them and their own figures. */
export function evaluateRange(
  recommender: Recommender,
  split: HoldoutSplit,
  progress: EvaluationProgress,
  to: number,
  options: EvaluationOptions = {},
): { progress: EvaluationProgress; listeners: ListenerScore[] } {
  const k = options.k ?? 10;
  const similarity =
    options.similarity === undefined ? cooccurrenceCosine(evidenceMatrix(split.train)) : options.similarity;
  const next = { ...progress, lists: [...progress.lists] };
  const scores: ListenerScore[] = [];
  for (let listener = progress.next; listener < Math.min(to, split.heldOut.length); listener++) {
    const items = split.heldOut[listener]!;
    if (items.length === 0) continue;
    const relevant = new Set(items);
    const ranked = recommender.recommend(listener, k).map((s) => s.item);
    next.lists.push(ranked);
    const score = { listener, ndcg: ndcgAtK(ranked, relevant, k), recall: recallAtK(ranked, relevant, k) };
    scores.push(score);
    next.recall += score.recall;
    next.ndcg += score.ndcg;
    next.hitRate += hitRateAtK(ranked, relevant, k);
    if (similarity) next.diversity += intraListDiversity(ranked, similarity);
  }
  next.next = Math.max(progress.next, Math.min(to, split.heldOut.length));
  return { progress: next, listeners: scores };
}

/** The averages of an evaluation that has reached every listener. */
export function evaluationReport(
  progress: EvaluationProgress,
  split: HoldoutSplit,
  options: EvaluationOptions = {},
): EvaluationReport {
  if (progress.next < split.heldOut.length) throw new Error("the evaluation has not reached every listener");
  const popularity = listenerCounts(evidenceMatrix(split.train));
  const { lists } = progress;
  const n = Math.max(lists.length, 1);
  return {
    listeners: lists.length,
    recall: progress.recall / n,
    ndcg: progress.ndcg / n,
    hitRate: progress.hitRate / n,
    coverage: catalogCoverage(lists, popularity.filter((c) => c > 0).length),
    meanPopularity: meanPopularity(lists, popularity),
    ...(options.similarity !== null ? { intraListDiversity: progress.diversity / n } : {}),
    longTailShare: longTailShare(lists, headItems(popularity)),
  };
}
