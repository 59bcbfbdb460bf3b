/**
 * Step-wise training at scale on synthetic data: 100,000 listeners, 50,000 items, 5,000,000 interactions.
 *   tsx scripts/bench-train-synthetic.ts [--listeners N] [--items N] [--interactions N] [--seed N]
 * The data (shared/model/synthetic.ts) has taste groups for the model to find. Training runs in slices of
 * trainerStepsPerSlice steps as the retrain Workflow runs it: each slice builds a new Trainer from the previous
 * slice's state, and the arrays a step does not need wait in files, as they wait in R2 in the worker. Prints
 * wall time per phase and each slice's memory (heap plus array buffers): the most live after any step, with
 * garbage collected after every step, and the most reached during a step before that collection, which also
 * counts what the step allocated and dropped. `npm run bench:retrain -- --synthetic` runs the same training
 * in the retraining worker itself.
 */
import "../shared/kernels/node";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseArgs } from "node:util";
import { modelFrom, Trainer, type TrainerState, type TrainerStore, type TrainingData } from "../shared/model";
import type { CsrMatrix } from "../shared/model/sparse";
import { decodeArray, encodeArray } from "../shared/publish/stored-array";
import { judgeSynthetic, syntheticSplit } from "../shared/model/synthetic";
import { trainerStepsPerSlice } from "../workers/retrainer/retrain/train-slice";
import { mb } from "./memory-peak";

const { values } = parseArgs({
  options: {
    listeners: { type: "string", default: "100000" },
    items: { type: "string", default: "50000" },
    interactions: { type: "string", default: "5000000" },
    seed: { type: "string", default: "1" },
  },
});
const listenerCount = Number(values.listeners),
  itemCount = Number(values.items),
  interactionCount = Number(values.interactions);
const seed = Number(values.seed);

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;
const liveBytes = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Arrays in files, as bytes: what is stored costs the process no memory, as KV costs a worker none. */
function fileStore(dir: string): TrainerStore {
  const path = (name: string) => join(dir, name);
  return {
    async get(name) {
      try {
        const { header } = JSON.parse(readFileSync(`${path(name)}.json`, "utf8"));
        const bytes = readFileSync(path(name));
        return decodeArray(header, [bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)]);
      } catch {
        return undefined;
      }
    },
    async put(name, array) {
      const { header, parts } = encodeArray(array, Number.MAX_SAFE_INTEGER);
      writeFileSync(path(name), parts[0]!);
      writeFileSync(`${path(name)}.json`, JSON.stringify({ header }));
    },
    async delete(name) {
      rmSync(path(name), { force: true });
      rmSync(`${path(name)}.json`, { force: true });
    },
  };
}

collectGarbage();
const baseline = liveBytes();
const started = performance.now();
const size = { listeners: listenerCount, items: itemCount, interactions: interactionCount, seed };
// The retraining worker's synthetic run begins the same way: the data drawn, and a sample's items held out.
// Only `data` holds the training part, so that it can be let go once the trainer has prepared its matrices.
let data: TrainingData | undefined;
let heldOut: number[][];
({ train: data, heldOut } = syntheticSplit(size));
const splitReached = liveBytes();
const pairs = (data.interactions as CsrMatrix).indices.length;
console.log(
  `data: ${listenerCount} listeners x ${itemCount} items, ${interactionCount} interactions drawn, ${pairs} distinct pairs in training after the holdout (${((performance.now() - started) / 1000).toFixed(1)} s to draw and split)`,
);

const dir = mkdtempSync(join(tmpdir(), "setlist-train-"));
const store = fileStore(dir);
const options = { seed };
/** Read by a child process: wrangler's module graph is 150 MB of heap, which would swamp the figures measured here. */
const retrainerVars = JSON.parse(
  execFileSync(process.execPath, [
    "--input-type=module",
    "-e",
    `import { unstable_readConfig } from "wrangler";
     console.log(JSON.stringify(unstable_readConfig({ config: "workers/retrainer/wrangler.toml" }).vars));`,
  ]).toString(),
) as Record<string, string>;
const stepsPerSlice = trainerStepsPerSlice(pairs, Number(retrainerVars.TRAINING_SLICE_WORK));
const phaseSeconds = new Map<string, number>();
/** Per slice: the most live after any step (collected), and the most reached during a step before collection. */
const slices: { phases: Set<string>; live: number; reached: number }[] = [];
let state: TrainerState | undefined;
let trainer: Trainer;
let steps = 0;
const trainStarted = performance.now();
for (;;) {
  trainer = new Trainer(data, options, state);
  data = undefined;
  collectGarbage();
  const slice = { phases: new Set<string>(), live: liveBytes(), reached: liveBytes() };
  slices.push(slice);
  let finished = false;
  for (let n = 0; n < stepsPerSlice && !finished; n++) {
    const phase = trainer.progress().phase;
    const t = performance.now();
    finished = (await trainer.advance(store, 1)).finished;
    phaseSeconds.set(phase, (phaseSeconds.get(phase) ?? 0) + (performance.now() - t) / 1000);
    slice.phases.add(phase);
    slice.reached = Math.max(slice.reached, liveBytes());
    collectGarbage();
    slice.live = Math.max(slice.live, liveBytes());
    steps++;
  }
  if (finished) break;
  state = JSON.parse(JSON.stringify(trainer.state())) as TrainerState;
}
const trainSeconds = (performance.now() - trainStarted) / 1000;
const model = modelFrom(trainer.outcome());
const judgement = judgeSynthetic(trainer.outcome(), size, heldOut);
const recommendStarted = performance.now();
for (let l = 0; l < 100; l++) model.recommend((l * 997) % listenerCount, 300);
const recommendMs = (performance.now() - recommendStarted) / 100;
collectGarbage();
const servingPeak = liveBytes();
await trainer.discard(store);
rmSync(dir, { recursive: true, force: true });

console.log(
  `trained in ${trainSeconds.toFixed(1)} s over ${steps} steps in ${slices.length} slices of up to ${stepsPerSlice}`,
);
for (const [phase, seconds] of phaseSeconds) console.log(`  ${phase.padEnd(30)} ${seconds.toFixed(1)} s`);
console.log(
  `blend: ${Object.entries(model.blendWeights)
    .map(([k, v]) => `${k}=${v}`)
    .join("  ")}`,
);
for (const [name, report] of Object.entries(judgement)) {
  console.log(
    `${name.padEnd(10)} on ${report.listeners} held-out listeners: NDCG@10 ${report.ndcg.toFixed(4)}  Recall@10 ${report.recall.toFixed(4)}  coverage@10 ${report.coverage.toFixed(4)}`,
  );
}
console.log(`recommend(listener, 300): ${recommendMs.toFixed(1)} ms per listener`);
console.log(`memory before any data (this script and its modules): ${mb(baseline)}, counted in the figures below`);
console.log(`after drawing and splitting the data, uncollected: ${mb(splitReached)}`);
for (const measure of ["live", "reached"] as const) {
  const worst = slices.reduce((a, b) => (b[measure] > a[measure] ? b : a));
  const what = measure === "live" ? "live after a step (collected)" : "reached during a step, uncollected";
  console.log(
    `peak memory of a slice, ${what}: ${mb(worst[measure])} (slice ${slices.indexOf(worst) + 1}: ${[...worst.phases].join(", ")})`,
  );
}
const byPhase = new Map<string, { live: number; reached: number }>();
for (const { phases, live, reached } of slices) {
  for (const p of phases) {
    const seen = byPhase.get(p) ?? { live: 0, reached: 0 };
    byPhase.set(p, { live: Math.max(seen.live, live), reached: Math.max(seen.reached, reached) });
  }
}
for (const [phase, { live, reached }] of byPhase)
  console.log(`  slices in ${phase.padEnd(30)} live ${mb(live).padStart(9)}   reached ${mb(reached).padStart(9)}`);
console.log(`with the model loaded for serving: ${mb(servingPeak)}; process rss ${mb(process.memoryUsage().rss)}`);
