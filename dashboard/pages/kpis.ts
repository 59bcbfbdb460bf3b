import type { Page } from "../app";
import { chartFigure } from "../chart";
import { h, table, figure } from "../dom";

/** GET /admin/metrics: a row per group (a day, or a slice's value over the range), a column per metric. */
export interface MetricsAnswer {
  from: string;
  to: string;
  by: string;
  metrics: string[];
  rows: Record<string, string | number | null>[];
}

/** How the route groups rows (its `by`). */
const GROUPS = ["day", "surface", "device", "region", "variant", "modelVersion"];
const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** KPI time series (by day) and breakdowns (by a slice), from the rollups, as a chart and a table. */
export async function kpisPage(page: Page): Promise<void> {
  const params = new URLSearchParams(page.arg ?? "");
  const from = params.get("from") ?? day(Date.now() - 29 * DAY_MS);
  const to = params.get("to") ?? day(Date.now());
  const by = params.get("by") ?? "day";
  const query = new URLSearchParams({ from, to, by });
  const answer = await page.api.get<MetricsAnswer>(`/admin/metrics?${query}`);
  if (!answer.ok && answer.status === 404) {
    page.main.append(
      h(
        "p",
        { class: "unavailable", "data-unavailable": "metrics" },
        "This deployment has no KPI route yet (GET /admin/metrics answered 404).",
      ),
    );
    return;
  }
  if (!answer.ok) return page.refused(answer);
  const { metrics, rows } = answer.data;
  const chosen = params.get("metric") ?? metrics[0] ?? "";

  const field = (id: string, label: string, control: HTMLElement) =>
    h("div", {}, h("label", { for: id }, label), control);
  const fromInput = h("input", { id: "kpi-from", type: "date", value: from, required: true });
  const toInput = h("input", { id: "kpi-to", type: "date", value: to, required: true });
  const bySelect = h(
    "select",
    { id: "kpi-by" },
    ...GROUPS.map((g) => h("option", { value: g, selected: g === by }, g)),
  );
  const metricSelect = h(
    "select",
    { id: "kpi-metric" },
    ...metrics.map((m) => h("option", { value: m, selected: m === chosen }, m)),
  );
  const form = h(
    "form",
    { class: "inline-form" },
    field("kpi-from", "From", fromInput),
    field("kpi-to", "To", toInput),
    field("kpi-by", "By", bySelect),
    field("kpi-metric", "Chart", metricSelect),
    h("button", { type: "submit" }, "Show"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams({
      from: fromInput.value,
      to: toInput.value,
      by: bySelect.value,
      metric: metricSelect.value,
    });
    location.hash = `kpis/${next}`;
  });
  const csv = h("button", { type: "button" }, "Download CSV");
  csv.addEventListener("click", () => {
    void (async () => {
      const res = await page.api.raw(`/admin/metrics?${query}&format=csv`);
      const link = h("a", {
        href: URL.createObjectURL(await res.blob()),
        download: `setlist-kpis-${from}-${to}-by-${by}.csv`,
      });
      link.click();
    })();
  });
  const labels = rows.map((r) => String(r[by]));
  page.main.append(
    form,
    rows.length === 0
      ? h("p", {}, "No figures in this range.")
      : chartFigure(
          {
            kind: by === "day" ? "line" : "bar",
            title: `${chosen} by ${by}, ${from} to ${to}`,
            labels,
            series: [
              { label: chosen, data: rows.map((r) => (typeof r[chosen] === "number" ? (r[chosen] as number) : null)) },
            ],
          },
          "kpi",
        ),
    h("div", { class: "actions" }, csv),
    table(
      `Every metric by ${by}`,
      [by, ...metrics],
      rows.map((r) => [
        String(r[by]),
        ...metrics.map((m) => (typeof r[m] === "number" ? figure(r[m] as number) : "—")),
      ]),
      "kpis",
    ),
  );
}
