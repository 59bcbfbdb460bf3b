/**
 * `npm run bench:gate`: the noise the promotion gate must tell from a real regression. Seeds the demo data
 * `npm start` seeds into a local D1 (the retraining worker's bindings, through wrangler's platform proxy),
 * reads it with the worker's own loader and trains holdout twins on the worker's stable split, as a retrain
 * does: one with the worker's training seed (the live version), the same data with other training seeds,
 * the data with a handful of new events (cumulatively, as successive retrains see them), and garbled data
 * (the events' tracks dealt out again at random) for a clearly worse model. Prints each twin's paired
 * difference from the first on the listeners both evaluated and the gate's decision, and for the retrains
 * with new events what the unpaired gate before it saw, each version on its own random holdout.
 *   npm run bench:gate [-- --seeds 5 --retrains 3 --new-events 13]
 */
import "../shared/kernels/node";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getPlatformProxy } from "wrangler";
import { drizzle } from "drizzle-orm/d1";
import { bulkInsertStatements, runInBatches } from "../shared/db/bulk";
import { events } from "../shared/db/schema";
import { garbledListening, newListening } from "../shared/demo/perturb";
import { evaluateListeners, holdoutSplit, stableHoldoutSplit, trainModel } from "../shared/model";
import { promotionDecision, PROMOTION_GATE, type GateInput } from "../shared/publish/promotion";
import { seededRandom } from "../shared/util/random";
import type { Env } from "../workers/retrainer/env";
import { HOLDOUT_KEY, TRAINING_SEED } from "../workers/retrainer/retrain/read-data";
import { seedDemoData } from "../workers/retrainer/seed";
import { loadTrainingSet, type TrainingSet } from "../workers/retrainer/training-data";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    seeds: { type: "string", default: "5" },
    retrains: { type: "string", default: "3" },
    "new-events": { type: "string", default: "13" },
  },
});

// The retraining worker's own bindings, in a local runtime with storage of its own.
const persistTo = mkdtempSync(join(tmpdir(), "setlist-gate-"));
const proxy = await getPlatformProxy<Env>({
  configPath: join(root, "workers/retrainer/wrangler.toml"),
  persist: { path: persistTo },
});
const db = proxy.env.DB;
try {
  for (const file of readdirSync(join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(join(root, "migrations", file), "utf8").split("--> statement-breakpoint")) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
  const seeded = await seedDemoData({ ...proxy.env, LISTENER_ID_KEY: "bench-gate-key" });
  console.log(`demo data: ${seeded.listeners} listeners, ${seeded.tracks} tracks, ${seeded.events} events`);

  /**
   * Training blocks this process's event loop for seconds, long enough for the runtime to close the platform
   * proxy's idle connection; the first query after it may fail on the dead socket, and a second opens a new one.
   */
  const reconnect = () =>
    db
      .prepare("SELECT 1")
      .first()
      .catch(() => db.prepare("SELECT 1").first());

  const stableSplit = (set: TrainingSet) => stableHoldoutSplit(set, { key: HOLDOUT_KEY });
  /** The split each version drew before the gate was paired: a shuffle seeded with the training seed. */
  const randomSplit = (set: TrainingSet) => holdoutSplit(set, { seed: TRAINING_SEED });

  /** A retrain's holdout twin on what D1 holds now, judged as finishHoldout judges it. */
  const twin = async (name: string, seed: number, splitOf = stableSplit): Promise<GateInput> => {
    const started = performance.now();
    const set = await loadTrainingSet(db);
    const split = splitOf(set);
    const { report, listeners } = evaluateListeners(trainModel(split.train, { seed }), split);
    await reconnect();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${name}: NDCG@10 ${report.ndcg.toFixed(4)}, Recall@10 ${report.recall.toFixed(4)}, ${report.listeners} listeners, ${seconds} s`,
    );
    return {
      version: name,
      holdout: report,
      listeners: new Map(listeners.map((s) => [set.listeners[s.listener]!, { ndcg: s.ndcg, recall: s.recall }])),
    };
  };

  const rows: string[][] = [];
  const compare = (candidate: GateInput, live: GateInput) => {
    const d = promotionDecision(candidate, live);
    const f = (m: "ndcg" | "recall") => {
      const x = d[m]!;
      return [x.difference, x.standardError, x.upperBound, x.difference / x.live].map((v) => v.toFixed(4));
    };
    rows.push([
      candidate.version,
      String(d.pairedListeners),
      ...f("ndcg"),
      ...f("recall"),
      d.promote ? "promote" : "reject",
    ]);
  };

  const live = await twin(`seed ${TRAINING_SEED}`, TRAINING_SEED);
  const unpaired: string[] = [];
  const liveUnpaired = (await twin(`seed ${TRAINING_SEED}, random split`, TRAINING_SEED, randomSplit)).holdout;
  /** The old gate: each version on its own random holdout, within 10% of the live version's average. */
  const compareUnpaired = (name: string, ndcg: number) => {
    const change = ndcg / liveUnpaired.ndcg - 1;
    unpaired.push(
      `${name}: NDCG@10 ${ndcg.toFixed(4)} vs ${liveUnpaired.ndcg.toFixed(4)} (${(change * 100).toFixed(1)}%), ` +
        `the old gate would ${change < -PROMOTION_GATE.unpairedTolerance ? "reject" : "promote"}`,
    );
  };
  for (let seed = TRAINING_SEED + 1; seed <= TRAINING_SEED + Number(args.seeds) - 1; seed++) {
    compare(await twin(`seed ${seed}`, seed), live);
  }
  const random = seededRandom(7);
  const stored = await drizzle(db).select().from(events);
  const perRetrain = Number(args["new-events"]);
  for (let retrain = 1; retrain <= Number(args.retrains); retrain++) {
    const added = newListening(stored, perRetrain, random, Date.now(), `bench-${retrain}`);
    await runInBatches(db, bulkInsertStatements(db, events, added, "ignore"));
    const name = `+${retrain * perRetrain} events`;
    compare(await twin(name, TRAINING_SEED), live);
    compareUnpaired(name, (await twin(`${name}, random split`, TRAINING_SEED, randomSplit)).holdout.ndcg);
  }
  const all = await drizzle(db).select().from(events);
  await drizzle(db).delete(events);
  await runInBatches(db, bulkInsertStatements(db, events, garbledListening(all, random), "ignore"));
  compare(await twin("garbled", TRAINING_SEED), live);

  const header = [
    "candidate vs seed 1",
    "paired",
    "ΔNDCG",
    "s.e.",
    "bound",
    "ΔNDCG/live",
    "ΔRecall",
    "s.e.",
    "bound",
    "ΔRecall/live",
    "gate",
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  console.log(
    `\ngate: margin ${PROMOTION_GATE.margin} of the live figure, bound = difference + ${PROMOTION_GATE.z} s.e.`,
  );
  for (const row of [header, ...rows]) console.log(row.map((v, c) => v.padStart(widths[c]!)).join("  "));
  console.log(`\nbefore the gate was paired, each version on its own random holdout:\n${unpaired.join("\n")}`);
} finally {
  await proxy.dispose();
  rmSync(persistTo, { recursive: true, force: true });
}
