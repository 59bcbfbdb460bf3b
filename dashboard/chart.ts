/**
 * Charts, drawn by Chart.js (bundled into the application: no CDN). Only the parts used are
 * registered, so the bundle carries only them. Each chart is a figure: the canvas, described for
 * screen readers, and the same figures as a table.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { figure, h, table } from "./dom";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

export interface Series {
  label: string;
  /** One value per label; a pair [low, high] draws a floating bar (an interval). */
  data: (number | null | [number, number])[];
}

export interface ChartSpec {
  kind: "line" | "bar";
  title: string;
  labels: string[];
  series: Series[];
  /** The y axis starts at zero unless told otherwise (intervals around an estimate do not). */
  beginAtZero?: boolean;
}

const COLOURS = ["#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#0e7490", "#be123c", "#4d7c0f"];

/** The canvas keeps its chart, so what Chart.js holds can be read back (the browser test does). */
export interface ChartCanvas extends HTMLCanvasElement {
  chart?: Chart;
}

export function chartFigure(spec: ChartSpec, name: string): HTMLElement {
  const canvas = h("canvas", {
    role: "img",
    "aria-label": `${spec.title}: ${spec.series.map((s) => s.label).join(", ")} by ${spec.labels.length} ${spec.kind === "line" ? "points" : "groups"}; the table below has the figures`,
    "data-chart": name,
  }) as ChartCanvas;
  const box = h("div", { class: "chart-box" }, canvas);
  const cell = (v: Series["data"][number] | undefined) =>
    Array.isArray(v) ? `${figure(v[0])} to ${figure(v[1])}` : figure(v);
  const rows = spec.labels.map((label, i) => [label, ...spec.series.map((s) => cell(s.data[i]))]);
  const details = h(
    "details",
    {},
    h("summary", {}, "Figures as a table"),
    table(spec.title, ["", ...spec.series.map((s) => s.label)], rows, name),
  );
  const fig = h("figure", { class: "chart" }, h("figcaption", {}, spec.title), box, details);
  const config: ChartConfiguration<"line" | "bar", Series["data"], string> = {
    type: spec.kind,
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s, i) => ({
        label: s.label,
        data: s.data,
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        spanGaps: true,
      })),
    },
    options: {
      // Drawn at once: nothing moves on screen, and what is drawn is final when the page says so.
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: spec.beginAtZero ?? true } },
      plugins: { legend: { position: "bottom" } },
    },
  };
  // Drawn once the figure is in the page, so it knows its size.
  queueMicrotask(() => {
    canvas.chart = new Chart(canvas, config as ChartConfiguration);
  });
  return fig;
}
