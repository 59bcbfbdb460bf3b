import type { ExperimentInput, ExperimentStatus } from "../../shared/experiments/definition";
import type { Page } from "../app";
import { chartFigure } from "../chart";
import { figure, h, table, when } from "../dom";

/** An experiment as the routes answer it: its row (shared/db/schema.ts `experiments`) with the definition. */
interface Experiment {
  id: string;
  definition: ExperimentInput;
  status: ExperimentStatus;
  createdAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
  shippedVariant: string | null;
  audit?: { at: number; action: string; actor: string; detail: unknown }[];
}

/**
 * GET /admin/experiments/{id}/results as this page reads it: exposures per variant, the
 * sample-ratio check, and each metric's per-variant estimate with the interval of its lift over control.
 */
interface Results {
  srm?: { pValue: number; mismatch: boolean };
  variants?: { name: string; listeners: number; expectedShare?: number }[];
  metrics?: { metric: string; variant: string; value: number; lift?: number; interval?: [number, number] }[];
}

const ACTIONS: Partial<Record<ExperimentStatus, ("start" | "pause" | "stop" | "ship")[]>> = {
  draft: ["start"],
  running: ["pause", "stop"],
  paused: ["start", "stop"],
  stopped: ["ship"],
};

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

function unavailable(page: Page, route: string) {
  page.main.append(
    h(
      "p",
      { class: "unavailable", "data-unavailable": "experiments" },
      `This deployment has no experiment routes yet (${route} answered 404).`,
    ),
  );
}

/** The experiments, one experiment (#experiments/ID) with its audit trail and results, and a new one. */
export async function experimentsPage(page: Page): Promise<void> {
  if (page.arg) return experimentPage(page, page.arg);
  const answer = await page.api.get<{ experiments: Experiment[] } | Experiment[]>("/admin/experiments");
  if (!answer.ok && answer.status === 404) return unavailable(page, "GET /admin/experiments");
  if (!answer.ok) return page.refused(answer);
  const list = Array.isArray(answer.data) ? answer.data : answer.data.experiments;
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
      ["Name", "Status", "Layer", "Primary metric", "Created", "Started", "Stopped"],
      list.map((e) => [
        h("a", { href: `#experiments/${encodeURIComponent(e.id)}` }, e.definition.name),
        e.status,
        e.definition.layer,
        e.definition.primaryMetric,
        when(e.createdAt),
        when(e.startedAt),
        when(e.stoppedAt),
      ]),
      "experiments",
    ),
    form,
  );
}

async function experimentPage(page: Page, id: string): Promise<void> {
  const path = `/admin/experiments/${encodeURIComponent(id)}`;
  const answer = await page.api.get<Experiment>(path);
  if (!answer.ok && answer.status === 404) {
    page.main.append(h("p", { class: "unavailable" }, `No experiment ${id} here (GET ${path} answered 404).`));
    return;
  }
  if (!answer.ok) return page.refused(answer);
  const e = answer.data;
  const act = async (action: string, body?: unknown) => {
    const done = await page.api.post<Experiment>(`${path}/${action}`, body);
    if (!done.ok) return page.refused(done);
    page.say(`${action}: ${e.definition.name} is now ${done.data.status ?? "changed"}`);
    page.reload();
  };
  const variantSelect = h(
    "select",
    { id: "ship-variant" },
    ...e.definition.variants.map((v) => h("option", { value: v.name }, v.name)),
  );
  const buttons = (ACTIONS[e.status] ?? []).map((action) =>
    action === "ship"
      ? h(
          "span",
          {},
          h("label", { for: "ship-variant" }, "Variant "),
          variantSelect,
          h("button", { type: "button", onclick: () => void act("ship", { variant: variantSelect.value }) }, "Ship"),
        )
      : h(
          "button",
          { type: "button", "data-action": action, onclick: () => void act(action) },
          action[0]!.toUpperCase() + action.slice(1),
        ),
  );
  page.main.append(
    h("h2", {}, e.definition.name),
    h("p", {}, `${e.status}${e.shippedVariant ? ` (shipped ${e.shippedVariant})` : ""}. ${e.definition.hypothesis}`),
    h("div", { class: "actions" }, ...buttons),
    table(
      "Variants",
      ["Variant", "Share", "Model version", "Ranking overrides"],
      e.definition.variants.map((v, i) => [
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
      (e.audit ?? []).map((a) => [
        when(a.at),
        a.action,
        a.actor,
        a.detail === null || a.detail === undefined ? "" : JSON.stringify(a.detail),
      ]),
      "audit",
    ),
  );
}

async function results(page: Page, path: string): Promise<void> {
  const answer = await page.api.get<Results>(path);
  const section = h("section", { "aria-labelledby": "results-heading" }, h("h2", { id: "results-heading" }, "Results"));
  page.main.append(section);
  if (!answer.ok && answer.status === 404) {
    section.append(
      h(
        "p",
        { class: "unavailable", "data-unavailable": "results" },
        `No results route on this deployment yet (GET ${path} answered 404).`,
      ),
    );
    return;
  }
  if (!answer.ok) return page.refused(answer);
  const r = answer.data;
  if (r.srm?.mismatch) {
    section.append(
      h(
        "p",
        { class: "warning", role: "alert", "data-srm": "" },
        `Sample ratio mismatch (p = ${r.srm.pValue.toExponential(2)}): the variants' exposures do not match their shares, so these results cannot be trusted until the cause is found.`,
      ),
    );
  }
  if (r.variants) {
    section.append(
      table(
        "Exposed listeners",
        ["Variant", "Listeners", "Expected share"],
        r.variants.map((v) => [v.name, v.listeners, figure(v.expectedShare, 2)]),
        "exposures",
      ),
    );
  }
  const metrics = r.metrics ?? [];
  for (const metric of [...new Set(metrics.map((m) => m.metric))]) {
    const rows = metrics.filter((m) => m.metric === metric);
    const lifts = rows.filter((m) => m.interval);
    if (lifts.length > 0) {
      section.append(
        chartFigure(
          {
            kind: "bar",
            title: `${metric}: interval of the lift over control`,
            labels: lifts.map((m) => m.variant),
            series: [{ label: "lift interval", data: lifts.map((m) => m.interval!) }],
            beginAtZero: false,
          },
          `results-${metric}`,
        ),
      );
    }
    section.append(
      table(
        metric,
        ["Variant", "Value", "Lift", "Interval"],
        rows.map((m) => [
          m.variant,
          figure(m.value),
          figure(m.lift),
          m.interval ? `${figure(m.interval[0])} to ${figure(m.interval[1])}` : "—",
        ]),
        `results-table-${metric}`,
      ),
    );
  }
  section.append(h("details", {}, h("summary", {}, "The answer as JSON"), h("pre", {}, JSON.stringify(r, null, 2))));
}
