/**
 * Step-wise training at scale on synthetic data: 100,000 listeners, 50,000 items, 5,000,000 interactions.
 *   tsx scripts/bench-train-synthetic.ts [--listeners N] [--items N] [--interactions N] [--seed N]
 * Listeners belong to latent taste groups and draw items with Zipf-like popularity, so the model has
 * structure to find. Training runs in jobs of trainerStepsPerJob steps as the retraining worker runs
 * it: each job builds a new Trainer from the previous job's snapshot, split into parts and copied as KV
 * would store them. Prints wall time per phase and peak memory (sampled after every step).
 */
import { parseArgs } from "node:util";
import { modelFrom, Trainer, type TrainerSnapshot, type TrainingData } from "../shared/model";
import { joinTrainerSnapshot, splitTrainerSnapshot } from "../shared/publish/trainer-snapshot";
import { trainerStepsPerJob } from "../workers/retrainer/publish";
import { unstable_readConfig } from "wrangler";
import { seededRandom } from "../shared/util/random";
import { MemoryPeak } from "./memory-peak";

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

function syntheticData(): TrainingData {
  const random = seededRandom(seed);
  const groups = 50;
  // Items are ranked by popularity within each group; a listener mostly draws from its own group.
  const groupItems = Array.from({ length: groups }, () =>
    Int32Array.from({ length: itemCount }, () => Math.floor(random() * itemCount)),
  );
  const perListener = interactionCount / listenerCount;
  const listener = new Int32Array(interactionCount),
    item = new Int32Array(interactionCount),
    weight = new Float32Array(interactionCount);
  for (let e = 0; e < interactionCount; e++) {
    const l = Math.floor(e / perListener);
    const group = random() < 0.8 ? l % groups : Math.floor(random() * groups);
    // Zipf-like rank: exponent 1.2 tail over the item pool.
    const rank = Math.min(itemCount - 1, Math.floor(Math.pow(random(), 2.5) * itemCount));
    listener[e] = l;
    item[e] = groupItems[group]![rank]!;
    weight[e] = 1 + Math.floor(-Math.log(1 - random()) * 20);
  }
  return {
    listeners: Array.from({ length: listenerCount }, (_, l) => `l${l}`),
    items: Array.from({ length: itemCount }, (_, i) => `i${i}`),
    interactions: { listener, item, weight },
  };
}

const peak = new MemoryPeak();
const sampleMemory = () => peak.sample();

const started = performance.now();
const data = syntheticData();
sampleMemory();
console.log(
  `data: ${listenerCount} listeners x ${itemCount} items, ${interactionCount} interactions (${((performance.now() - started) / 1000).toFixed(1)} s to generate)`,
);

/** What the next job finds: the snapshot through the bytes a KV value would hold. */
function throughStorage(snapshot: TrainerSnapshot): TrainerSnapshot {
  const { header, parts } = splitTrainerSnapshot(snapshot, 20 * 1024 * 1024);
  return joinTrainerSnapshot(
    header,
    parts.map((part) => part.slice().buffer),
  );
}

const options = { seed };
const retrainerVars = unstable_readConfig({ config: "workers/retrainer/wrangler.toml" }).vars;
const stepsPerJob = trainerStepsPerJob(interactionCount, Number(retrainerVars.TRAINING_JOB_WORK));
let trainer = new Trainer(data, options);
const phaseSeconds = new Map<string, number>();
let steps = 0,
  jobs = 1;
const trainStarted = performance.now();
for (;;) {
  const phase = trainer.progress().phase;
  const t = performance.now();
  const progress = trainer.step();
  phaseSeconds.set(phase, (phaseSeconds.get(phase) ?? 0) + (performance.now() - t) / 1000);
  steps++;
  sampleMemory();
  if (progress.finished) break;
  if (steps % stepsPerJob === 0) {
    trainer = new Trainer(data, options, throughStorage(trainer.snapshot()));
    jobs++;
  }
}
const trainSeconds = (performance.now() - trainStarted) / 1000;
const model = modelFrom(trainer.outcome());
const recommendStarted = performance.now();
for (let l = 0; l < 100; l++) model.recommend((l * 997) % listenerCount, 300);
const recommendMs = (performance.now() - recommendStarted) / 100;
sampleMemory();

console.log(`trained in ${trainSeconds.toFixed(1)} s over ${steps} steps in ${jobs} jobs of ${stepsPerJob}`);
for (const [phase, seconds] of phaseSeconds) console.log(`  ${phase.padEnd(22)} ${seconds.toFixed(1)} s`);
console.log(
  `blend: ${Object.entries(model.blendWeights)
    .map(([k, v]) => `${k}=${v}`)
    .join("  ")}`,
);
console.log(`recommend(listener, 300): ${recommendMs.toFixed(1)} ms per listener`);
console.log(`peak memory: ${peak}`);
