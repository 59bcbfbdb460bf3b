/**
 * What the offline evaluations share: their options, the held-out split of a data file (or of a
 * train/test pair), the tag content beside a HetRec file, and training the model on the split.
 */
import "../shared/kernels/node";
import { parseArgs } from "node:util";
import { readInteractionFile, readSiblingHetrecTaggings, type InteractionFile } from "../shared/import/nodeFiles";
import { tagContent, toTrainingData } from "../shared/import/trainingData";
import {
  cooccurrenceCosine,
  holdoutSplit,
  trainModel,
  type EvaluationReport,
  type HoldoutSplit,
  type ItemSimilarity,
  type TrainedModel,
} from "../shared/model";
import { evidenceMatrix } from "../shared/model/interactions";
import { MemoryPeak } from "./memory-peak";

const EVALUATION_OPTIONS = {
  data: { type: "string" },
  train: { type: "string" },
  test: { type: "string" },
  seed: { type: "string", default: "1" },
  "no-tags": { type: "boolean", default: false },
  "min-coverage": { type: "string" },
} as const;

export interface EvaluationArgs {
  data?: string;
  train?: string;
  test?: string;
  seed: string;
  "no-tags": boolean;
  "min-coverage"?: string;
}

export interface EvaluationData {
  split: HoldoutSplit;
  dataPath: string;
  format: string;
  taggings: ReturnType<typeof readSiblingHetrecTaggings>;
}

function reportRejected(path: string, file: InteractionFile): void {
  if (file.rejected.length > 0) {
    console.warn(
      `${path}: ${file.rejected.length} rejected lines, first: line ${file.rejected[0]!.line}: ${file.rejected[0]!.reason}`,
    );
  }
}

function loadSplit(args: EvaluationArgs, seed: number): Omit<EvaluationData, "taggings"> {
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

/** The split, with the tag content of a HetRec file (taggings of held-out pairs dropped, as they would reveal them). */
export function loadEvaluationData(args: EvaluationArgs, seed: number): EvaluationData {
  const { split, dataPath, format } = loadSplit(args, seed);
  const taggings = format === "hetrec" && !args["no-tags"] ? readSiblingHetrecTaggings(dataPath) : undefined;
  if (taggings) {
    const heldOutPairs = new Set(
      split.heldOut.flatMap((items, l) => items.map((i) => `${split.train.listeners[l]}\t${split.train.items[i]}`)),
    );
    split.train.itemContent = tagContent(split.train, taggings, (listener, item) =>
      heldOutPairs.has(`${listener}\t${item}`),
    );
  }
  return { split, dataPath, format, taggings };
}

/** Trains on the split's training part, timing it and sampling the memory peak while it runs. */
export function trainForEvaluation(
  split: HoldoutSplit,
  args: EvaluationArgs,
  seed: number,
): { model: TrainedModel; trainSeconds: number; peak: MemoryPeak } {
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
  return { model, trainSeconds, peak };
}

/** Diversity is measured on tag content when there is some, else on co-occurrence in training. */
export function diversitySimilarity(data: EvaluationData, model: TrainedModel): ItemSimilarity {
  return data.taggings ? model.contentSimilarity : cooccurrenceCosine(evidenceMatrix(data.split.train));
}

export function describeData({ split, dataPath, format, taggings }: EvaluationData): string {
  return `data: ${dataPath} (${format}), ${split.train.listeners.length} listeners x ${split.train.items.length} items, content: ${taggings ? `${taggings.length} taggings` : "none"}`;
}

export function parseEvaluationArgs(
  usage: string,
  defaults: { data?: string } = {},
): { args: EvaluationArgs; seed: number } {
  const { values } = parseArgs({ options: EVALUATION_OPTIONS });
  const args: EvaluationArgs = { ...values, ...(values.data || values.train ? {} : defaults) };
  const seed = Number(args.seed);
  if (!(args.data || (args.train && args.test)) || !Number.isInteger(seed)) {
    console.error(usage);
    process.exit(2);
  }
  return { args, seed };
}

/** A column of the printed table: its heading, the report's figure and its decimals. */
export type ReportColumn = [heading: string, key: keyof EvaluationReport, digits: number];

/** The reports as a table, one row a recommender. */
export function printReports(reports: readonly [string, EvaluationReport][], columns: readonly ReportColumn[]): void {
  const width = Math.max(11, ...reports.map(([name]) => name.length + 1));
  console.log(["".padEnd(width), ...columns.map(([name]) => name.padStart(12))].join(""));
  for (const [name, report] of reports) {
    console.log(
      [name.padEnd(width), ...columns.map(([, key, digits]) => report[key]!.toFixed(digits).padStart(12))].join(""),
    );
  }
}
