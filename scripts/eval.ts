/**
 * Offline evaluation on a held-out split, for the model and a popularity baseline.
 *   npm run eval -- --data FILE [--seed N] [--no-tags]
 *   npm run eval -- --train FILE --test FILE [--seed N] [--no-tags]
 * FILE: HetRec user_artists.dat or the generic TSV (listener, item, weight[, timestamp]). Beside a HetRec
 * file, user_taggedartists.dat + tags.dat feed the content part; taggings of held-out pairs are dropped,
 * since they would reveal the held-out listening.
 */
import "../shared/kernels/node";
import { parseArgs } from "node:util";
import { readInteractionFile, readSiblingHetrecTaggings, type InteractionFile } from "../shared/import/nodeFiles";
import { tagContent, toTrainingData } from "../shared/import/trainingData";
import {
  cooccurrenceCosine,
  evaluate,
  holdoutSplit,
  popularityRecommender,
  trainModel,
  type EvaluationReport,
  type HoldoutSplit,
} from "../shared/model";
import { evidenceMatrix } from "../shared/model/interactions";
import { MemoryPeak } from "./memory-peak";

const { values: args } = parseArgs({
  options: {
    data: { type: "string" },
    train: { type: "string" },
    test: { type: "string" },
    seed: { type: "string", default: "1" },
    "no-tags": { type: "boolean", default: false },
    "min-coverage": { type: "string" },
  },
});
const seed = Number(args.seed);
if (!(args.data || (args.train && args.test)) || !Number.isInteger(seed)) {
  console.error(
    "usage: npm run eval -- --data FILE [--seed N] [--no-tags] | --train FILE --test FILE [--seed N] [--no-tags]",
  );
  process.exit(2);
}

function reportRejected(path: string, file: InteractionFile): void {
  if (file.rejected.length > 0) {
    console.warn(
      `${path}: ${file.rejected.length} rejected lines, first: line ${file.rejected[0]!.line}: ${file.rejected[0]!.reason}`,
    );
  }
}

function loadSplit(): { split: HoldoutSplit; dataPath: string; format: string } {
  if (args.data) {
    const file = readInteractionFile(args.data);
    reportRejected(args.data, file);
    return { split: holdoutSplit(toTrainingData(file.rows), { seed }), dataPath: args.data, format: file.format };
  }
  const train = readInteractionFile(args.train!),
    test = readInteractionFile(args.test!);
  reportRejected(args.train!, train);
  reportRejected(args.test!, test);
  // Indexing both files together gives test-only items an index (recommendable through content only).
  const all = toTrainingData([...train.rows, ...test.rows]);
  const interactions = all.interactions as { listener: number; item: number; weight: number }[];
  const heldOut = all.listeners.map(() => new Set<number>());
  for (const row of interactions.slice(train.rows.length)) if (row.weight > 0) heldOut[row.listener]!.add(row.item);
  const trainData = { ...all, interactions: interactions.slice(0, train.rows.length) };
  const seen = evidenceMatrix(trainData);
  const trainPairs = (l: number, i: number) => seen.indices.subarray(seen.indptr[l]!, seen.indptr[l + 1]!).includes(i);
  return {
    split: {
      train: trainData,
      heldOut: heldOut.map((items, l) => [...items].filter((i) => !trainPairs(l, i)).sort((a, b) => a - b)),
    },
    dataPath: args.train!,
    format: train.format,
  };
}

const { split, dataPath, format } = loadSplit();
const taggings = format === "hetrec" && !args["no-tags"] ? readSiblingHetrecTaggings(dataPath) : undefined;
if (taggings) {
  const heldOutPairs = new Set(
    split.heldOut.flatMap((items, l) => items.map((i) => `${split.train.listeners[l]}\t${split.train.items[i]}`)),
  );
  split.train.itemContent = tagContent(split.train, taggings, (listener, item) =>
    heldOutPairs.has(`${listener}\t${item}`),
  );
}

const peak = new MemoryPeak();
const sampleMemory = () => peak.sample();
const sampler = setInterval(sampleMemory, 50);

const started = performance.now();
const model = trainModel(split.train, {
  seed,
  ...(args["min-coverage"] ? { minCoverage: Number(args["min-coverage"]) } : {}),
});
const trainSeconds = (performance.now() - started) / 1000;
sampleMemory();
clearInterval(sampler);

const similarity = taggings ? model.contentSimilarity : cooccurrenceCosine(evidenceMatrix(split.train));
const evalStarted = performance.now();
const reports: [string, EvaluationReport][] = [
  ["model", evaluate(model, split, { similarity })],
  ["popularity", evaluate(popularityRecommender(split.train), split, { similarity })],
];
const evalSeconds = (performance.now() - evalStarted) / 1000;

console.log(
  `data: ${dataPath} (${format}), ${split.train.listeners.length} listeners x ${split.train.items.length} items, content: ${taggings ? `${taggings.length} taggings` : "none"}`,
);
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
const columns: [string, keyof EvaluationReport, number][] = [
  ["Recall@10", "recall", 4],
  ["NDCG@10", "ndcg", 4],
  ["HitRate@10", "hitRate", 4],
  ["Coverage@10", "coverage", 4],
  ["MeanPop", "meanPopularity", 1],
  ["Diversity", "intraListDiversity", 4],
  ["LongTail", "longTailShare", 4],
];
console.log(["".padEnd(11), ...columns.map(([name]) => name.padStart(12))].join(""));
for (const [name, report] of reports) {
  console.log(
    [name.padEnd(11), ...columns.map(([, key, digits]) => report[key]!.toFixed(digits).padStart(12))].join(""),
  );
}
