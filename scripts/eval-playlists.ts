/**
 * Offline evaluation of the Discover Weekly policy on the held-out split of `npm run eval` (same
 * loading, split and training), at 30: the model's candidates through the Discover Weekly choice
 * (shared/playlists/discover-weekly.ts: no training item, one per artist, the week's draw, MMR)
 * against the plain top 30 of the same model and against popularity.
 *   npm run eval:playlists [-- --data FILE] [--seed N] [--no-tags]
 * Without --data it reads ../shared/data/lastfm-hetrec2011/user_artists.dat, and says so and stops
 * when that is absent. Last.fm's items are artists, so one per artist holds for every list there;
 * what sets the Discover Weekly list apart is the draw and the spread over sounds (tag content).
 */
import { existsSync } from "node:fs";
import { evaluate, popularityRecommender, type EvaluationReport, type Recommender, type Scored } from "../shared/model";
import { DISCOVER_WEEKLY_LENGTH, pickDiscoveries } from "../shared/playlists/discover-weekly";
import { fnv1a } from "../shared/util/hash";
import {
  describeData,
  diversitySimilarity,
  loadEvaluationData,
  parseEvaluationArgs,
  printReports,
  type ReportColumn,
  trainForEvaluation,
} from "./evaluation-setup";

const LASTFM = "../shared/data/lastfm-hetrec2011/user_artists.dat";
/** As many candidates as the retrainer publishes per listener (workers/retrainer/publish.ts). */
const CANDIDATES = 300;
const K = DISCOVER_WEEKLY_LENGTH;

const { args, seed } = parseEvaluationArgs(
  "usage: npm run eval:playlists [-- --data FILE | --train FILE --test FILE] [--seed N] [--no-tags]",
  { data: LASTFM },
);
if (args.data === LASTFM && !existsSync(LASTFM)) {
  console.log(`skipped: ${LASTFM} is absent (pass --data FILE to evaluate on another file)`);
  process.exit(0);
}
const data = loadEvaluationData(args, seed);
const { split } = data;
const { model, trainSeconds } = trainForEvaluation(split, args, seed);
const similarity = diversitySimilarity(data, model);

/** Each item's "artist": the item itself on Last.fm, where items are artists. */
const discoverWeekly: Recommender = {
  recommend: (listener, k) =>
    pickDiscoveries(model.recommend(listener, CANDIDATES), k, fnv1a(`${split.train.listeners[listener]}:week-1`), {
      id: (s: Scored) => String(s.item),
      score: (s) => s.score,
      artist: (s) => String(s.item),
      similarity: (a, b) => similarity(a.item, b.item),
    }),
};

const started = performance.now();
const reports: [string, EvaluationReport][] = [
  ["discover-weekly", evaluate(discoverWeekly, split, { k: K, similarity })],
  ["top 30", evaluate(model, split, { k: K, similarity })],
  ["popularity", evaluate(popularityRecommender(split.train), split, { k: K, similarity })],
];
const evalSeconds = (performance.now() - started) / 1000;

console.log(describeData(data));
console.log(
  `seed: ${seed}   train: ${trainSeconds.toFixed(1)} s   evaluate: ${evalSeconds.toFixed(1)} s   listeners evaluated: ${reports[0]![1].listeners}`,
);
console.log(
  `discover-weekly: ${K} of the model's top ${CANDIDATES} (no training item), one per artist, weekly draw, MMR over ${data.taggings ? "tag content cosine" : "co-occurrence cosine"}`,
);
const columns: ReportColumn[] = [
  [`Recall@${K}`, "recall", 4],
  [`NDCG@${K}`, "ndcg", 4],
  [`Coverage@${K}`, "coverage", 4],
  ["LongTail", "longTailShare", 4],
  ["MeanPop", "meanPopularity", 1],
  ["Diversity", "intraListDiversity", 4],
];
printReports(reports, columns);
