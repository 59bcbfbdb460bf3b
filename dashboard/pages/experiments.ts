import type { ExperimentResults, VariantResult } from "../../shared/analytics/experiment-stats/results";
import type { ExperimentInput, ExperimentStatus } from "../../shared/experiments/definition";
import type { Page } from "../app";
import { chartFigure } from "../chart";
import { figure, h, table, when } from "../dom";

/** An experiment as GET /admin/experiments lists it (workers/retrainer/experiments.ts `summary`). */
interface Summary {
  id: string;
  name: string;
  layer: string;
  traffic: number;
  status: ExperimentStatus;
  createdAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
  shippedVariant: string | null;
  buckets: [number, number] | null;
}

/** One experiment as GET /admin/experiments/{id} and every action answer it: with its definition and audit trail. */
interface Experiment extends Summary {
  definition: ExperimentInput;
  audit: { at: number; action: string; actor: string; detail: unknown }[];
}

/** GET /admin/experiments/{id}/results (workers/retrainer/experiment-results.ts). */
type Results = ExperimentResults & { id: string; name: string; status: ExperimentStatus };

/**
 * Every action is offered in every status: the route knows which it allows, and its refusal (a 409
 * naming the statuses it needs) is shown as it answers.
 */
const ACTIONS = ["start", "pause", "stop"] as const;

/** An A/B test to start from: the control and one variant with more exploration. */
const EXAMPLE: ExperimentInput = {
  name: "More exploration",
  hypothesis: "A larger exploration share raises completions without more skips",
  layer: "ranking",
  traffic: 1,
  variants: [
    { name: "control", share: 0.5 },
    { name: "explore", share: 0.5, overrides: { explorationShare: 0.2 } },
  ],
  targeting: { listeners: "all", surfaces: ["recommendations"] },
  primaryMetric: "completionRate",
  guardrails: [{ metric: "skipRate", tolerance: 0.02 }],
  minimumDetectableEffect: 0.02,
};

const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const range = (i: [number, number] | null | undefined, digits = 4) =>
  i ? `${figure(i[0], digits)} to ${figure(i[1], digits)}` : "—";

/** The experiments, one experiment (#experiments/ID) with its audit trail and results, and a new one. */
export async function experimentsPage(page: Page): Promise<void> {
  if (page.arg) return experimentPage(page, page.arg);
  const answer = await page.api.get<{ experiments: Summary[] }>("/admin/experiments");
  if (!answer.ok) return page.refused(answer);
  const text = h(
    "textarea",
    { id: "experiment-json", rows: 16, spellcheck: "false" },
    JSON.stringify(EXAMPLE, null, 2),
  );
  const form = h(
    "form",
    { "aria-labelledby": "new-experiment" },
    h("h2", { id: "new-experiment" }, "New experiment"),
    h(
      "label",
      { for: "experiment-json" },
      "Definition (JSON, as POST /admin/experiments takes it; the first variant is the control)",
    ),
    text,
    h("button", { type: "submit" }, "Create draft"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      let body: unknown;
      try {
        body = JSON.parse(text.value);
      } catch (error) {
        page.refused({ ok: false, status: 0, problem: { status: 0, title: "Not JSON", detail: String(error) } });
        return;
      }
      const made = await page.api.post<Experiment>("/admin/experiments", body);
      if (!made.ok) return page.refused(made);
      page.say(`Created experiment ${made.data.id}`);
      location.hash = `experiments/${encodeURIComponent(made.data.id)}`;
    })();
  });
  page.main.append(
    table(
      "Experiments",
      ["Name", "Status", "Layer", "Traffic", "Created", "Started", "Stopped", "Shipped"],
      answer.data.experiments.map((e) => [
        h("a", { href: `#experiments/${encodeURIComponent(e.id)}`, "data-experiment": e.id }, e.name),
        e.status,
        e.layer,
        figure(e.traffic, 2),
        when(e.createdAt),
        when(e.startedAt),
        when(e.stoppedAt),
        e.shippedVariant ?? "—",
      ]),
      "experiments",
    ),
    form,
  );
}

async function experimentPage(page: Page, id: string): Promise<void> {
  const path = `/admin/experiments/${encodeURIComponent(id)}`;
  const answer = await page.api.get<Experiment>(path);
  if (!answer.ok) return page.refused(answer);
  const e = answer.data;
  const d = e.definition;
  const act = async (action: string, body?: unknown) => {
    const done = await page.api.post<Experiment>(`${path}/${action}`, body);
    if (!done.ok) return page.refused(done);
    page.say(`${capital(action)}: ${done.data.name} is now ${done.data.status}`);
    page.reload();
  };
  const variantSelect = h(
    "select",
    { id: "ship-variant" },
    ...d.variants.map((v) => h("option", { value: v.name }, v.name)),
  );
  page.main.append(
    h("h2", {}, `${e.name} (${e.id})`),
    h(
      "p",
      {},
      "Status: ",
      h("strong", { "data-status": e.status }, e.status),
      e.shippedVariant ? ` (shipped ${e.shippedVariant})` : "",
      `. ${d.hypothesis}`,
    ),
    h(
      "div",
      { class: "actions" },
      ...ACTIONS.map((action) =>
        h("button", { type: "button", "data-action": action, onclick: () => void act(action) }, capital(action)),
      ),
      h("label", { for: "ship-variant" }, "Ship variant"),
      variantSelect,
      h(
        "button",
        { type: "button", "data-action": "ship", onclick: () => void act("ship", { variant: variantSelect.value }) },
        "Ship",
      ),
    ),
    table(
      "Definition",
      ["Field", "Value"],
      [
        ["Layer", `${d.layer} (traffic ${figure(d.traffic, 2)}, buckets ${e.buckets ? e.buckets.join("–") : "—"})`],
        ["Targeting", JSON.stringify(d.targeting)],
        ["Primary metric", d.primaryMetric],
        ["Guardrails", d.guardrails.map((g) => `${g.metric} (tolerance ${g.tolerance})`).join(", ") || "—"],
        ["Minimum detectable effect", figure(d.minimumDetectableEffect, 3)],
        ["Created, started, stopped", [e.createdAt, e.startedAt, e.stoppedAt].map(when).join(", ")],
      ],
      "definition",
    ),
    table(
      "Variants",
      ["Variant", "Share", "Model version", "Ranking overrides"],
      d.variants.map((v, i) => [
        v.name + (i === 0 ? " (control)" : ""),
        figure(v.share, 2),
        v.modelVersion ?? "live",
        JSON.stringify(v.overrides ?? {}),
      ]),
      "variants",
    ),
  );
  await results(page, `${path}/results`);
  page.main.append(
    table(
      "Audit trail",
      ["When", "Action", "Operator", "Detail"],
      e.audit.map((a) => [
        when(a.at),
        a.action,
        a.actor,
        a.detail === null || a.detail === undefined ? "" : JSON.stringify(a.detail),
      ]),
      "audit",
    ),
  );
}

const VERDICTS: Record<Results["verdict"]["decision"], string> = {
  "no-data": "No data yet",
  invalid: "Invalid: do not read these results",
  ship: "Ship",
  "keep-control": "Keep control",
  continue: "Continue: not decided yet",
};

async function results(page: Page, path: string): Promise<void> {
  const answer = await page.api.get<Results>(path);
  const section = h("section", { "aria-labelledby": "results-heading" }, h("h2", { id: "results-heading" }, "Results"));
  page.main.append(section);
  if (!answer.ok) return page.refused(answer);
  const r = answer.data;
  if (r.srm.flagged) {
    section.append(
      h(
        "p",
        { class: "warning", role: "alert", "data-srm": "" },
        h("strong", {}, "Sample ratio mismatch"),
        ` (χ² = ${figure(r.srm.chiSquare, 2)}, p = ${r.srm.p.toExponential(2)}): the variants' exposed listeners do not match their shares, so assignment or exposure logging is broken and no comparison below can be trusted.`,
      ),
    );
  }
  section.append(
    h(
      "p",
      { class: r.verdict.decision === "invalid" ? "warning" : "verdict", "data-decision": r.verdict.decision },
      h("strong", {}, `Decision: ${VERDICTS[r.verdict.decision]}${r.verdict.variant ? ` ${r.verdict.variant}` : ""}`),
      ` (${r.verdict.reason}). ${r.listeners} listeners exposed; primary metric ${r.primaryMetric}; sample ratio check p = ${figure(r.srm.p, 3)}${r.srm.flagged ? ", a mismatch" : ", no mismatch"}.`,
    ),
  );
  const treatments = r.variants.filter((v) => !v.control);
  for (const v of treatments) {
    const breached = v.guardrails.filter((g) => g.breached);
    if (breached.length > 0) {
      section.append(
        h(
          "p",
          { class: "warning", role: "alert", "data-guardrail": v.name },
          h("strong", {}, `Guardrail breached by ${v.name}: `),
          breached.map((g) => `${g.metric} is surely worse than control by more than ${g.tolerance}`).join("; "),
        ),
      );
    }
  }
  section.append(
    table(
      "Variants against control",
      ["Variant", "Share", "Listeners", `Primary (${r.primaryMetric})`, "p99 latency, ms", "Guardrails"],
      r.variants.map((v) => [
        v.name + (v.control ? " (control)" : ""),
        figure(v.share, 2),
        h("span", { "data-listeners": v.name }, String(v.listeners)),
        v.primary ?? "—",
        v.p99LatencyMs ? `${figure(v.p99LatencyMs.estimate, 1)} (${range(v.p99LatencyMs.interval, 1)})` : "—",
        v.control
          ? "—"
          : v.guardrails
              .map((g) => `${g.metric}: ${g.breached ? "BREACHED" : g.measured ? "ok" : "not measured yet"}`)
              .join(", ") || "none",
      ]),
      "result-variants",
    ),
  );
  const metrics = Object.keys(r.variants[0]?.metrics ?? {}) as (keyof VariantResult["metrics"])[];
  if (treatments.length > 0) {
    section.append(
      chartFigure(
        {
          kind: "bar",
          title: "Lift over control, always-valid 95% interval (relative change)",
          labels: metrics,
          series: treatments.map((v) => ({
            label: v.name,
            data: metrics.map((m) => v.metrics[m].vsControl?.liftInterval ?? null),
          })),
          beginAtZero: false,
        },
        "lift",
      ),
    );
  }
  section.append(
    h(
      "div",
      { class: "chart-grid" },
      metrics.map((m) =>
        chartFigure(
          {
            kind: "bar",
            title: `${m}${m === r.primaryMetric ? " (primary)" : ""}: value, 95% interval`,
            labels: r.variants.map((v) => v.name),
            series: [{ label: m, data: r.variants.map((v) => v.metrics[m].interval) }],
            beginAtZero: false,
          },
          `value-${m}`,
        ),
      ),
    ),
    table(
      "Every metric per variant",
      [
        "Metric",
        "Variant",
        "Value",
        "Interval",
        "CUPED-adjusted",
        "Lift",
        "Lift interval (always valid)",
        "p",
        "Significant",
      ],
      metrics.flatMap((m) =>
        r.variants.map((v) => {
          const { mean, interval, adjustedMean, vsControl: c } = v.metrics[m];
          return [
            m,
            v.name,
            figure(mean),
            range(interval),
            figure(adjustedMean),
            figure(c?.lift),
            range(c?.liftInterval),
            figure(c?.p),
            c ? (c.significant ? `yes, ${c.direction}` : "no") : "—",
          ];
        }),
      ),
      "metrics",
    ),
  );
  section.append(h("details", {}, h("summary", {}, "The answer as JSON"), h("pre", {}, JSON.stringify(r, null, 2))));
}
