/**
 * Top-10 recommendations for listed listeners, with the code the edge serves with (trainModel + recommend).
 *   npm run recommend -- --train FILE --listeners FILE --out recs.jsonl [--seed N] [--no-tags]
 * Writes one JSON object per line: {"user": "...", "items": ["...", ...]}, best first. A listener absent
 * from the training file gets an empty list.
 */
import "../shared/kernels/node";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { readInteractionFile, readSiblingHetrecTaggings } from "../shared/import/nodeFiles";
import { tagContent, toTrainingData } from "../shared/import/trainingData";
import { trainModel } from "../shared/model";

const { values: args } = parseArgs({
  options: {
    train: { type: "string" },
    listeners: { type: "string" },
    out: { type: "string" },
    seed: { type: "string", default: "1" },
    "no-tags": { type: "boolean", default: false },
  },
});
if (!args.train || !args.listeners || !args.out) {
  console.error("usage: npm run recommend -- --train FILE --listeners FILE --out recs.jsonl [--seed N] [--no-tags]");
  process.exit(2);
}

const file = readInteractionFile(args.train);
if (file.rejected.length > 0) console.warn(`${args.train}: ${file.rejected.length} rejected lines`);
const data = toTrainingData(file.rows);
const taggings = file.format === "hetrec" && !args["no-tags"] ? readSiblingHetrecTaggings(args.train) : undefined;
if (taggings) data.itemContent = tagContent(data, taggings);

const model = trainModel(data, { seed: Number(args.seed) });
const listenerIndex = new Map(data.listeners.map((id, i) => [id, i]));
const wanted = readFileSync(args.listeners, "utf8")
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l !== "");
const lines = wanted.map((user) => {
  const listener = listenerIndex.get(user);
  const items = listener === undefined ? [] : model.recommend(listener, 10).map((r) => data.items[r.item]!);
  return JSON.stringify({ user, items });
});
writeFileSync(args.out, lines.length ? lines.join("\n") + "\n" : "");
const missing = wanted.filter((u) => !listenerIndex.has(u)).length;
console.log(
  `wrote ${lines.length} listeners to ${args.out}${missing ? ` (${missing} not in the training data: empty lists)` : ""}`,
);
