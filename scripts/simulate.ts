/**
 * `npm run simulate -- --listeners 500 --days 14 [--experiment ID]`: simulated listeners play
 * against the running network (`npm start`) through its public API, one simulated day at a time.
 * A test bench for the KPIs and experiments, not a claim about real people; see the README.
 *   --port P (the one `npm start` serves on)  --seed N  --concurrency N
 *   --pre-days N (backdated days before the experiment starts)  --round-minutes M (real minutes per round after it)
 */
import { parseArgs } from "node:util";
import { describe, emptyTally, type Tally } from "../shared/simulator";
import { DEFAULT_PORT, localUrl } from "./dev-credentials";
import { ApiError, MAX_DAYS, runSimulation, servedVersusCharts } from "./simulation";

const usage =
  `usage: npm run simulate -- [--listeners 500] [--days 14 (1-${MAX_DAYS})] [--experiment ID] [--pre-days N] ` +
  `[--round-minutes M] [--seed 1] [--concurrency 32] [--port ${DEFAULT_PORT}]`;
const parsed = (() => {
  try {
    return parseArgs({
      options: {
        listeners: { type: "string", default: "500" },
        days: { type: "string", default: "14" },
        experiment: { type: "string" },
        "pre-days": { type: "string" },
        "round-minutes": { type: "string", default: "0" },
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
const roundMinutes = whole(parsed?.["round-minutes"], 0);
const preDays = parsed?.["pre-days"] === undefined ? undefined : whole(parsed["pre-days"], 1);
if (
  !parsed ||
  listeners === undefined ||
  days === undefined ||
  days > MAX_DAYS ||
  seed === undefined ||
  concurrency === undefined ||
  roundMinutes === undefined ||
  (parsed["pre-days"] !== undefined && preDays === undefined)
) {
  console.error(usage);
  process.exit(2);
}

const report = await runSimulation({
  base: localUrl(parsed.port!),
  listeners,
  days,
  experiment: parsed.experiment,
  preDays,
  seed,
  concurrency,
  roundMinutes,
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
if (report.experiment) {
  console.log(`experiment ${parsed.experiment} results:`);
  console.log(JSON.stringify(report.experiment.results, null, 2));
}
const seconds = report.wallMs / 1000;
console.log(
  `${listeners} listeners x ${days} days: ${report.requests} requests in ${seconds.toFixed(1)} s ` +
    `(${(report.requests / seconds).toFixed(0)} requests/s, concurrency ${concurrency})`,
);
