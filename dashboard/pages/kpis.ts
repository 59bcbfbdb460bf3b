import { DAY_MS, dayOf as day } from "../../shared/analytics/days";
import { SLICE_DIMENSIONS, type MetricGroup } from "../../shared/analytics/groups";
import type { Page } from "../app";
import { chartFigure } from "../chart";
import { figure, h, table } from "../dom";

/** GET /admin/metrics (workers/retrainer/metrics.ts): a row per group (a day, or a slice's value over the range), a column per metric. */
export interface MetricsAnswer {
  from: string;
  to: string;
  by: MetricGroup;
  metrics: string[];
  rows: Record<string, string | number | null>[];
}

const value = (v: string | number | null | undefined) => (typeof v === "number" ? v : null);

/**
 * KPI time series (by day) and a breakdown (by a slice: surface, device, region, variant or model
 * version) over the same days, each as a chart of the chosen metric and a table of every metric.
 * Metric names are the route's own (its answer's `metrics`).
 */
export async function kpisPage(page: Page): Promise<void> {
  const params = new URLSearchParams(page.arg ?? "");
  const from = params.get("from") ?? day(Date.now() - 29 * DAY_MS);
  const to = params.get("to") ?? day(Date.now());
  const slice = (SLICE_DIMENSIONS as readonly string[]).includes(params.get("by") ?? "")
    ? (params.get("by") as MetricGroup)
    : "surface";
  const query = (by: MetricGroup) => new URLSearchParams({ from, to, by });
  const [series, breakdown] = await Promise.all([
    page.api.get<MetricsAnswer>(`/admin/metrics?${query("day")}`),
    page.api.get<MetricsAnswer>(`/admin/metrics?${query(slice)}`),
  ]);
  if (!series.ok) return page.refused(series);
  if (!breakdown.ok) return page.refused(breakdown);
  const { metrics } = series.data;
  const chosen = metrics.includes(params.get("metric") ?? "") ? params.get("metric")! : metrics[0]!;

  const field = (id: string, label: string, control: HTMLElement) =>
    h("div", {}, h("label", { for: id }, label), control);
  const fromInput = h("input", { id: "kpi-from", type: "date", value: from, required: true });
  const toInput = h("input", { id: "kpi-to", type: "date", value: to, required: true });
  const bySelect = h(
    "select",
    { id: "kpi-by" },
    ...SLICE_DIMENSIONS.map((g) => h("option", { value: g, selected: g === slice }, g)),
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
    field("kpi-metric", "Chart", metricSelect),
    field("kpi-by", "Breakdown by", bySelect),
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

  const part = ({ by, rows }: MetricsAnswer, name: string) => {
    const csv = h("button", { type: "button" }, `Download CSV by ${by}`);
    csv.addEventListener("click", () => {
      void (async () => {
        const res = await page.api.raw(`/admin/metrics?${query(by)}&format=csv`);
        const link = h("a", {
          href: URL.createObjectURL(await res.blob()),
          download: `setlist-kpis-${from}-${to}-by-${by}.csv`,
        });
        link.click();
      })();
    });
    return h(
      "section",
      { "aria-label": `KPIs by ${by}` },
      rows.length === 0
        ? h("p", {}, `No figures by ${by} in this range.`)
        : chartFigure(
            {
              kind: by === "day" ? "line" : "bar",
              title: `${chosen} by ${by}, ${from} to ${to}`,
              labels: rows.map((r) => String(r[by])),
              series: [{ label: chosen, data: rows.map((r) => value(r[chosen])) }],
            },
            name,
          ),
      h("div", { class: "actions" }, csv),
      h(
        "details",
        {},
        h("summary", {}, `Every metric by ${by}, as a table`),
        table(
          `Every metric by ${by}`,
          [by, ...metrics],
          rows.map((r) => [String(r[by]), ...metrics.map((m) => figure(value(r[m])))]),
          `${name}-table`,
        ),
      ),
    );
  };
  page.main.append(form, part(series.data, "kpi-day"), part(breakdown.data, "kpi-breakdown"));
}
