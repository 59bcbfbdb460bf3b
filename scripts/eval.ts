/**
 * Offline evaluation on a held-out split, for the model and a popularity baseline.
 *   npm run eval -- --data FILE [--seed N] [--no-tags]
 *   npm run eval -- --train FILE --test FILE [--seed N] [--no-tags]
 * FILE: HetRec user_artists.dat or the generic TSV (listener, item, weight[, timestamp]). Beside a HetRec
 * file, user_taggedartists.dat + tags.dat feed the content part; taggings of held-out pairs are dropped,
 * since they would reveal the held-out listening.
 */
import { evaluate, popularityRecommender, type EvaluationReport } from "../shared/model";
import {
  describeData,
  diversitySimilarity,
  loadEvaluationData,
  parseEvaluationArgs,
  printReports,
  type ReportColumn,
  trainForEvaluation,
} from "./evaluation-setup";

const { args, seed } = parseEvaluationArgs(
  "usage: npm run eval -- --data FILE [--seed N] [--no-tags] | --train FILE --test FILE [--seed N] [--no-tags]",
);
const data = loadEvaluationData(args, seed);
const { split, taggings } = data;
const { model, trainSeconds, peak } = trainForEvaluation(split, args, seed);

const similarity = diversitySimilarity(data, model);
const evalStarted = performance.now();
const reports: [string, EvaluationReport][] = [
  ["model", evaluate(model, split, { similarity })],
  ["popularity", evaluate(popularityRecommender(split.train), split, { similarity })],
];
const evalSeconds = (performance.now() - evalStarted) / 1000;

console.log(describeData(data));
console.log(
  `seed: ${seed}   train: ${trainSeconds.toFixed(1)} s   evaluate: ${evalSeconds.toFixed(1)} s   peak during training: ${peak}`,
);
console.log(
  `tuned blend: ${Object.entries(model.blendWeights)
    .map(([k, v]) => `${k}=${v}`)
    .join("  ")}`,
);
console.log(
  `listeners evaluated: ${reports[0]![1].listeners}   diversity by: ${taggings ? "tag content cosine" : "co-occurrence cosine"}`,
);
const columns: ReportColumn[] = [
  ["Recall@10", "recall", 4],
  ["NDCG@10", "ndcg", 4],
  ["HitRate@10", "hitRate", 4],
  ["Coverage@10", "coverage", 4],
  ["MeanPop", "meanPopularity", 1],
  ["Diversity", "intraListDiversity", 4],
  ["LongTail", "longTailShare", 4],
];
printReports(reports, columns);
