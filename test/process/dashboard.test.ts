/**
 * The operator dashboard in a real headless Chromium (@sparticuz/chromium, driven by puppeteer-core)
 * against a real `wrangler dev` network: sign-in, charts drawn with the figures the operator routes
 * answer, and actions (retrain, promote or roll back, keys, a listener's consent) that those routes
 * then report, an experiment created, started and stopped from the page with its results as the
 * route answers them, and the KPIs as GET /admin/metrics answers them. With DASHBOARD_SCREENSHOTS=DIR it also saves the README's screenshots there.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import chromium from "@sparticuz/chromium";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_KEYS } from "../../scripts/dev-credentials";
import { parseRecommendationId, parseVariantLabel } from "../../shared/analytics/attribution";
import type { ExperimentResults } from "../../shared/analytics/experiment-stats/results";
import { startLocalNetwork, type LocalNetwork } from "../../scripts/local-network";
import { asListener, asOperator, call, testStorage } from "./client";

const PORT = 8844;
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS;
let network: LocalNetwork | undefined;
const persistTo = testStorage("dashboard", () => network);
let browser: Browser;
let page: Page;
/** The version of the retrain the page starts, promoted or rolled back from at the end. */
let retrain = "";

interface Version {
  version: string;
  status: string;
  metrics: { holdout?: { ndcg: number; recall: number } } | null;
}
const models = () =>
  call<{ current: { version: string } | null; versions: Version[] }>(
    network!,
    "/admin/models",
    { headers: asOperator },
    200,
  );

type Results = ExperimentResults & { id: string };
/** Demo listeners the experiment serves (not demo-7, whose analytics consent a test withdraws). */
const EXPERIMENT_LISTENERS = ["demo-1", "demo-2", "demo-3", "demo-4", "demo-5", "demo-6"];
const today = () => new Date().toISOString().slice(0, 10);
const metrics = (from: string, to: string, by: string) =>
  call<{ metrics: string[]; rows: Record<string, string | number | null>[] }>(
    network!,
    `/admin/metrics?from=${from}&to=${to}&by=${by}`,
    { headers: asOperator },
    200,
  );
const playsToday = async () => Number((await metrics(today(), today(), "day")).rows[0]?.plays ?? 0);
/** Today's plays before this file's tests, and the plays they posted since. */
let playsBefore = 0;
let playsPosted = 0;

/**
 * A listener plays each of `tracks`, as served in `context`: every third play of this file is skipped
 * early, the others heard to their end, so listeners differ and the results have intervals to draw.
 */
async function play(listener: string, tracks: { id: string }[], context: Record<string, string>) {
  const at = Date.now();
  const events = tracks.flatMap((t, i) => {
    const skipped = (playsPosted + i) % 3 === 0;
    const heard = skipped ? 5_000 : 180_000;
    const ended = skipped ? "skip" : "complete";
    return [
      { id: `dash-${listener}-${at}-${i}-p`, trackId: t.id, type: "play", timestamp: at + 2 * i, context },
      {
        ...{ id: `dash-${listener}-${at}-${i}-e`, trackId: t.id, type: ended, timestamp: at + 2 * i + 1 },
        ...{ positionMs: heard, msPlayed: heard, context },
      },
    ];
  });
  await call(
    network!,
    "/v1/events",
    { method: "POST", headers: await asListener(listener), body: JSON.stringify({ events }) },
    202,
  );
  playsPosted += tracks.length;
}

/** Waits until the KPIs count every play posted so far (each play starts one; its skip or completion continues it). */
async function playsCounted() {
  while ((await playsToday()) < playsBefore + playsPosted) await new Promise((r) => setTimeout(r, 500));
}

/** What the chart named `name` holds, as Chart.js has it, once drawn. */
async function chartData(name: string) {
  const selector = `canvas[data-chart="${name}"]`;
  await page.waitForFunction((s) => (document.querySelector(s) as { chart?: unknown } | null)?.chart, {}, selector);
  return page.$eval(selector, (canvas) => {
    const chart = (canvas as unknown as { chart: import("chart.js").Chart }).chart;
    return { labels: chart.data.labels, series: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })) };
  });
}

/** Shows a page by its link, as a keyboard user would follow it, and waits until it has drawn. */
async function open(route: string) {
  await page.focus(`nav a[data-route="${route}"]`);
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    (r) =>
      document.querySelector(`nav a[data-route="${r}"][aria-current="page"]`) &&
      document.activeElement?.matches("main h1"),
    {},
    route,
  );
}

/** The whole page, or only the element `part` selects. */
async function screenshot(name: string, part?: string) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  if (part) await (await page.$(part))!.screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
}

/** The text of the page's status line, once it says something matching `pattern`. */
async function status(pattern: RegExp) {
  const handle = await page.waitForFunction(
    (source) => {
      const text = document.querySelector('[role="status"]')?.textContent ?? "";
      return new RegExp(source).test(text) ? text : null;
    },
    {},
    pattern.source,
  );
  return (await handle.jsonValue()) as string;
}

beforeAll(async () => {
  network = await startLocalNetwork(PORT, { persistTo });
  playsBefore = await playsToday();
  browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args,
    headless: true,
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  // Revoking a key and erasing a listener ask first.
  page.on("dialog", (dialog) => void dialog.accept());
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe("the operator dashboard in a browser", () => {
  it("serves only its sign-in page without a key, and a wrong key shows the edge's refusal", async () => {
    const app = await fetch(`${network!.base}/dashboard/app.js`);
    expect(app.status).toBe(401);

    await page.goto(`${network!.base}/dashboard`);
    await screenshot("sign-in");
    await page.type("#operator-key", DEV_KEYS.client.key);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#sign-in-error:not([hidden])");
    expect(await page.$eval("#sign-in-error", (e) => e.textContent)).toBe(
      "Not signed in: 403 Forbidden: This route needs a operator key, not a client key",
    );
    await page.$eval("#operator-key", (e) => ((e as HTMLInputElement).value = "not-a-key"));
    await page.type("#operator-key", "");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#sign-in-error")?.textContent?.includes("401"));
    expect(await page.$eval("#sign-in-error", (e) => e.textContent)).toBe(
      "Not signed in: 401 Unauthorized: The API key is unknown or revoked",
    );

    await page.$eval("#operator-key", (e) => ((e as HTMLInputElement).value = ""));
    await page.type("#operator-key", DEV_KEYS.operator.key);
    await page.keyboard.press("Enter");
    await page.waitForSelector('main[data-ready="Models"]');
    // Kept for this tab only, and never in the address.
    expect(await page.evaluate(() => sessionStorage.getItem("setlist-operator-key"))).toBe(DEV_KEYS.operator.key);
    expect(page.url()).not.toContain(DEV_KEYS.operator.key);
  });

  it("draws the versions' holdout figures as /admin/models answers them, and starts a retrain", async () => {
    await page.waitForFunction(
      () => (document.querySelector('canvas[data-chart="holdout"]') as { chart?: unknown })?.chart,
    );
    const drawn = await page.$eval('canvas[data-chart="holdout"]', (canvas) => {
      const chart = (canvas as unknown as { chart: import("chart.js").Chart }).chart;
      return {
        labels: chart.data.labels,
        series: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })),
        // Chart.js laid out a point for every figure: it was drawn, not only given data.
        points: chart.data.datasets.map(
          (_, i) => chart.getDatasetMeta(i).data.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).length,
        ),
      };
    });
    const { versions } = await models();
    const measured = versions.filter((v) => v.metrics?.holdout).reverse();
    expect(measured.length).toBeGreaterThan(0);
    expect(drawn).toEqual({
      labels: measured.map((v) => v.version),
      series: [
        { label: "NDCG@10", data: measured.map((v) => v.metrics!.holdout!.ndcg) },
        { label: "Recall@10", data: measured.map((v) => v.metrics!.holdout!.recall) },
      ],
      points: [measured.length, measured.length],
    });
    await screenshot("models");
    await page.setViewport({ width: 390, height: 844 });
    await screenshot("models-phone");
    await page.setViewport({ width: 1280, height: 900 });

    // Only one version is published: a rollback has nowhere to go, and the page shows the route's 409.
    await page.click("xpath///button[text()='Roll back']");
    await page.waitForSelector('[role="alert"]:not([hidden])');
    expect(await page.$eval('[role="alert"]:not([hidden])', (e) => e.textContent)).toBe(
      "409 Conflict: There is no earlier published version to roll back to",
    );

    await page.click("xpath///button[text()='Retrain now']");
    const said = await status(/^Retrain: /);
    const { version } = JSON.parse(said.slice("Retrain: ".length)) as { version: string };
    expect((await models()).versions.map((v) => v.version)).toContain(version);
    retrain = version;

    // The run shows on the retrains page with its step, and a second retrain is refused while it builds.
    await open("retrains");
    const shown = await page.waitForFunction(
      (v) => {
        const rows = [...document.querySelectorAll('[data-table="retrains"] tbody tr')];
        const cells = rows.find((r) => r.querySelector("th")?.textContent === v)?.querySelectorAll("td");
        return cells ? { status: cells[0]!.textContent, step: cells[3]!.textContent } : null;
      },
      {},
      version,
    );
    const row = (await shown.jsonValue()) as { status: string; step: string };
    console.log(`[dashboard test] retrain ${version}: ${row.status}, step "${row.step}"`);
    expect(row.status).toBe("building");
    await page.click("xpath///button[text()='Retrain now']");
    await page.waitForSelector('[role="alert"]:not([hidden])');
    expect(await page.$eval('[role="alert"]:not([hidden])', (e) => e.textContent)).toMatch(
      new RegExp(`^409 Conflict: Version ${version} is being retrained \\(step: .+\\) and one retrain runs at a time`),
    );
    await screenshot("retrains");
  });

  it("creates a key that works at once, and revokes it", async () => {
    await open("keys");
    await page.select("#key-role", "client");
    await page.type("#key-name", "browser test app");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-new-key]");
    const key = await page.$eval("[data-new-key]", (e) => e.textContent!);
    expect((await fetch(`${network!.base}/v1/charts/top?limit=1`, { headers: { "x-api-key": key } })).status).toBe(200);
    await page.waitForSelector('button[data-revoke="browser test app"]');
    await screenshot("keys");

    await page.click('button[data-revoke="browser test app"]');
    expect(await status(/^Revoked/)).toBe('Revoked 1 key(s) named "browser test app"');
    const { keys } = await call<{ keys: { name: string; revokedAt: number | null }[] }>(
      network!,
      "/admin/keys",
      { headers: asOperator },
      200,
    );
    expect(keys.find((k) => k.name === "browser test app")?.revokedAt).toEqual(expect.any(Number));
    await page.waitForFunction(() => !document.querySelector('button[data-revoke="browser test app"]'));
    // The key is shown once, to the operator: never logged.
    expect(network!.output()).not.toContain(key);
  });

  it("looks a listener up by id for support and changes their consent, with the id in no URL", async () => {
    const listenerId = "demo-7";
    await open("listener");
    await page.type("#listener-id", listenerId);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#consent-analytics");
    expect(await page.$eval("#consent-analytics", (e) => (e as HTMLInputElement).checked)).toBe(true);
    await page.click("#consent-analytics");
    await page.click("xpath///button[text()='Save consent']");
    expect(await status(/^Consent of/)).toBe(`Consent of ${listenerId}: personalization true, analytics false`);
    const looked = await call(
      network!,
      "/admin/listeners/lookup",
      { method: "POST", headers: asOperator, body: JSON.stringify({ listenerId }) },
      200,
    );
    expect(looked).toEqual({ listenerId, consent: { personalization: true, analytics: false } });
    await page.click("xpath///button[text()='Export everything held']");
    await page.waitForSelector("[data-export]");
    expect(await page.$eval("[data-export]", (e) => e.textContent)).toContain(`listenerId: ${listenerId}`);
    await screenshot("listener");
    // The request log names routes, never the listener.
    expect(network!.output()).not.toMatch(new RegExp(`\\b${listenerId}\\b`));
  });

  it("draws each queue's backlog as GET /admin/pipeline answers it, and the dead letters awaiting replay", async () => {
    const listener = "demo-9";
    const answer = await call<{ items: { id: string }[]; recommendationId: string }>(
      network!,
      "/v1/me/recommendations?limit=2",
      { headers: await asListener(listener) },
      200,
    );
    await play(listener, answer.items, { source: "recommendations", recommendationId: answer.recommendationId });
    await playsCounted();
    type Pipeline = { to: number; queues: { queue: string; minutes: Record<string, number>[] }[] };
    const pipeline = () => call<Pipeline>(network!, "/admin/pipeline?minutes=60", { headers: asOperator }, 200);
    // The page and the route must see the same minutes: drawn again if a minute turned meanwhile.
    let route: Pipeline;
    do {
      route = await pipeline();
      await open("pipeline");
    } while ((await pipeline()).to !== route.to);
    const events = route.queues.find((q) => q.queue === "setlist-events")!;
    const delivered = events.minutes.reduce((sum, m) => sum + m.messages!, 0);
    expect(delivered).toBeGreaterThan(0);
    console.log(`[dashboard test] setlist-events: ${delivered} message(s) delivered in the last hour`);
    const shown = '[data-queue="setlist-events"] [data-messages]';
    expect(await page.$eval(shown, (e) => Number(e.getAttribute("data-messages")))).toBe(delivered);
    const seconds = (ms: number) => Math.round(ms / 100) / 10;
    const wait = await chartData("wait-setlist-events");
    expect(wait.labels).toHaveLength(60);
    expect(wait.series).toEqual([
      { label: "longest wait (s)", data: events.minutes.map((m) => seconds(m.maxWaitMs!)) },
      { label: "mean wait (s)", data: events.minutes.map((m) => seconds(m.meanWaitMs!)) },
    ]);
    expect((await chartData("messages-setlist-events")).series[0]!.data).toEqual(events.minutes.map((m) => m.messages));
    const dlq = await call<{ unreplayed: number }>(network!, "/admin/dlq", { headers: asOperator }, 200);
    expect(await page.$eval("[data-unreplayed]", (e) => Number(e.getAttribute("data-unreplayed")))).toBe(
      dlq.unreplayed,
    );
    await screenshot("pipeline");
  });

  it("creates an experiment, starts it, shows its results as the route answers them, and stops it", async () => {
    await open("experiments");
    // The page's example definition, as it stands in the form.
    await page.click("xpath///button[text()='Create draft']");
    const id = (await status(/^Created experiment /)).slice("Created experiment ".length);
    await page.waitForSelector('[data-status="draft"]');
    await page.click('button[data-action="start"]');
    await page.waitForSelector('[data-status="running"]');
    expect(await status(/^Start: /)).toBe("Start: More exploration is now running");
    // What the route refuses, the page shows as the route words it.
    await page.click('button[data-action="start"]');
    await page.waitForSelector('[role="alert"]:not([hidden])');
    expect(await page.$eval('[role="alert"]:not([hidden])', (e) => e.textContent)).toBe(
      `409 Conflict: Experiment ${id} is running; it can start only when draft or paused`,
    );

    // Listeners served by the experiment (once the edge has read the new live set) play what it served.
    const served = new Map<string, string>();
    for (const listener of EXPERIMENT_LISTENERS) {
      let variant: string | undefined;
      let answer: { recommendationId: string; items: { id: string }[] } | undefined;
      while (!variant) {
        answer = await call(network!, "/v1/me/recommendations?limit=4", { headers: await asListener(listener) }, 200);
        const label = parseRecommendationId(answer.recommendationId)!.variant;
        variant = parseVariantLabel(label).find((v) => v.experimentId === id)?.variant;
        if (!variant) await new Promise((r) => setTimeout(r, 500));
      }
      served.set(listener, variant);
      await play(listener, answer!.items, { source: "recommendations", recommendationId: answer!.recommendationId });
    }
    const path = `/admin/experiments/${id}/results`;
    const results = () => call<Results>(network!, path, { headers: asOperator }, 200);
    // Every exposure is in D1 and every event counted, so the results no longer change.
    while ((await results()).listeners < EXPERIMENT_LISTENERS.length) await new Promise((r) => setTimeout(r, 500));
    await playsCounted();
    const answer = await results();
    console.log(
      `[dashboard test] experiment ${id}: ${answer.variants.map((v) => `${v.name} ${v.listeners}`).join(", ")} listeners; decision ${answer.verdict.decision}; SRM p ${answer.srm.p.toFixed(3)}`,
    );
    expect(Object.fromEntries(answer.variants.map((v) => [v.name, v.listeners]))).toEqual(
      Object.fromEntries(answer.variants.map((v) => [v.name, [...served.values()].filter((s) => s === v.name).length])),
    );

    await open("experiments");
    await page.click(`a[data-experiment="${id}"]`);
    await page.waitForSelector('[data-status="running"]');
    const listeners = await page.$$eval("[data-listeners]", (spans) =>
      Object.fromEntries(spans.map((s) => [s.getAttribute("data-listeners"), Number(s.textContent)])),
    );
    expect(listeners).toEqual(Object.fromEntries(answer.variants.map((v) => [v.name, v.listeners])));
    const lift = await chartData("lift");
    const treatments = answer.variants.filter((v) => !v.control);
    const metrics = Object.keys(answer.variants[0]!.metrics) as (keyof Results["variants"][number]["metrics"])[];
    expect(lift).toEqual({
      labels: metrics,
      series: treatments.map((v) => ({
        label: v.name,
        data: metrics.map((m) => v.metrics[m].vsControl?.liftInterval ?? null),
      })),
    });
    expect(await page.$eval("[data-decision]", (e) => e.getAttribute("data-decision"))).toBe(answer.verdict.decision);
    expect((await page.$("[data-srm]")) !== null).toBe(answer.srm.flagged);
    await screenshot("experiment", 'section[aria-labelledby="results-heading"]');

    await page.click('button[data-action="stop"]');
    await page.waitForSelector('[data-status="stopped"]');
    const stopped = await call<{ status: string; audit: { action: string }[] }>(
      network!,
      `/admin/experiments/${id}`,
      { headers: asOperator },
      200,
    );
    expect(stopped.status).toBe("stopped");
    expect(stopped.audit.map((a) => a.action)).toEqual(["create", "start", "stop"]);
    expect(
      await page.$$eval('[data-table="audit"] tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent)),
    ).toEqual(["create", "start", "stop"]);
    await open("experiments");
    expect(
      await page.$eval(`a[data-experiment="${id}"]`, (a) => a.closest("tr")!.querySelector("td")!.textContent),
    ).toBe("stopped");
    await screenshot("experiments");
  });

  it("draws the KPIs by day and by surface as GET /admin/metrics answers them", async () => {
    const listener = "demo-8";
    const answer = await call<{ items: { id: string }[]; recommendationId: string }>(
      network!,
      "/v1/me/recommendations?limit=4",
      { headers: await asListener(listener) },
      200,
    );
    await play(listener, answer.items, { source: "recommendations", recommendationId: answer.recommendationId });
    await playsCounted();
    await open("kpis");
    const to = today();
    const from = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    for (const [by, name] of [
      ["day", "kpi-day"],
      ["surface", "kpi-breakdown"],
    ] as const) {
      const route = await metrics(from, to, by);
      const metric = route.metrics[0]!;
      console.log(
        `[dashboard test] KPIs by ${by}: ${route.rows.map((r) => `${r[by]} ${metric} ${r[metric]}`).join(", ")}`,
      );
      expect(await chartData(name)).toEqual({
        labels: route.rows.map((r) => r[by]),
        series: [{ label: metric, data: route.rows.map((r) => r[metric]) }],
      });
    }
    await screenshot("kpis");
  });

  it("promotes or rolls back once the retrain is written, and shows the new live version", async () => {
    // The retrain started above ends published (the gate let it through) or rejected.
    let written: Version | undefined;
    while (!written) {
      written = (await models()).versions.find((v) => v.version === retrain && v.status !== "building");
      if (!written) await new Promise((r) => setTimeout(r, 1000));
    }
    const { current } = await models();
    await open("models");
    await page.waitForSelector(`[data-live="${current!.version}"]`);
    const previous = (await models()).versions.find((v) => v.version !== retrain)!.version;
    if (current!.version === retrain) await page.click("xpath///button[text()='Roll back']");
    else await page.click(`button[data-promote="${retrain}"]`);
    const expected = current!.version === retrain ? previous : retrain;
    await page.waitForSelector(`[data-live="${expected}"]`);
    expect((await models()).current?.version).toBe(expected);
  });
});
