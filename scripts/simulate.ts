/**
 * `npm run simulate -- --listeners 500 --days 14 [--experiment ID]`: simulated listeners play
 * against the running network (`npm start`) through its public API, one simulated day at a time.
 * A test bench for the KPIs and experiments, not a claim about real people; see the README.
 *   --port P (the one `npm start` serves on)  --seed N  --concurrency N
 *   --experiment ID (repeatable)  --pre-days N (the days before the experiments start)
 */
import { parseArgs } from "node:util";
import { describe, emptyTally, type Tally } from "../shared/simulator";
import { DEFAULT_PORT, localUrl } from "./dev-credentials";
import { ApiError, MAX_DAYS, resultLines, runSimulation, servedVersusCharts } from "./simulation";

const usage =
  `usage: npm run simulate -- [--listeners 500] [--days 14 (1-${MAX_DAYS})] [--experiment ID ...] [--pre-days N] ` +
  `[--seed 1] [--concurrency 32] [--port ${DEFAULT_PORT}]`;
const parsed = (() => {
  try {
    return parseArgs({
      options: {
        listeners: { type: "string", default: "500" },
        days: { type: "string", default: "14" },
        experiment: { type: "string", multiple: true },
        "pre-days": { type: "string" },
        seed: { type: "string", default: "1" },
        concurrency: { type: "string", default: "32" },
        port: { type: "string", default: DEFAULT_PORT },
      },
    }).values;
  } catch {
    return undefined;
  }
})();
const whole = (value: string | undefined, min: number) =>
  value !== undefined && /^\d+$/.test(value) && Number(value) >= min ? Number(value) : undefined;
const listeners = whole(parsed?.listeners, 1);
const days = whole(parsed?.days, 1);
const seed = whole(parsed?.seed, 0);
const concurrency = whole(parsed?.concurrency, 1);
const preDays = parsed?.["pre-days"] === undefined ? undefined : whole(parsed["pre-days"], 1);
if (
  !parsed ||
  listeners === undefined ||
  days === undefined ||
  days > MAX_DAYS ||
  seed === undefined ||
  concurrency === undefined ||
  (parsed["pre-days"] !== undefined && preDays === undefined)
) {
  console.error(usage);
  process.exit(2);
}

const report = await runSimulation({
  base: localUrl(parsed.port!),
  listeners,
  days,
  experiments: parsed.experiment,
  preDays,
  seed,
  concurrency,
  log: (line) => console.log(line),
}).catch((error: unknown) => {
  if (!(error instanceof ApiError)) throw error;
  console.error(`simulate: ${error.message}`);
  process.exit(1);
});

const all = emptyTally();
for (const tally of Object.values(report.bySurface))
  for (const key of Object.keys(all) as (keyof Tally)[]) all[key] += tally[key];
console.log(`all days: ${describe(all)}`);
for (const [surface, tally] of Object.entries(report.bySurface))
  console.log(`  served by ${surface}: ${describe(tally)}`);
console.log(servedVersusCharts(report.bySurface));
for (const [variant, tally] of report.byVariant) console.log(`  served under ${variant}: ${describe(tally)}`);
for (const [id, run] of report.experiments) {
  console.log(`experiment ${id} results:`);
  if (run.results) for (const line of resultLines(run.results)) console.log(`  ${line}`);
  console.log(JSON.stringify(run.results, null, 2));
}
const seconds = report.wallMs / 1000;
console.log(
  `${listeners} listeners x ${days} days: ${report.requests} requests in ${seconds.toFixed(1)} s ` +
    `(${(report.requests / seconds).toFixed(0)} requests/s, concurrency ${concurrency})`,
);
