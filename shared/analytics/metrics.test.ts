import { describe, expect, it } from "vitest";
import { METRICS, MetricsQuery, metricRows, toCsv } from "./metrics";

describe("the metrics query", () => {
  it("defaults to every metric by day, and names what is wrong", () => {
    expect(MetricsQuery.parse({ from: "2026-11-01", to: "2026-11-02" })).toEqual({
      from: "2026-11-01",
      to: "2026-11-02",
      by: "day",
      metric: [...METRICS],
    });
    const paths = (q: object) => MetricsQuery.safeParse(q).error?.issues.map((i) => i.path.join("."));
    expect(paths({ from: "2026-11-01", to: "2027-11-03" })).toEqual(["to"]);
    expect(paths({ from: "2026-02-29", to: "9999-12-31" })).toEqual(["from", "to"]);
    expect(paths({ from: "2024-02-29", to: "2025-02-28" })).toBeUndefined();
    expect(paths({ from: "2026-11-01", to: "2026-11-01", metric: "dau,x" })).toEqual(["metric.1"]);
    expect(paths({ from: "2026-11-01", to: "2026-11-01", metric: "retention", by: "device" })).toEqual(["metric"]);
  });
});

describe("metric rows", () => {
  const figure = {
    day: "2026-11-01",
    surface: "radio",
    device: "phone",
    region: "SE",
    variant: "none",
    modelVersion: "none",
  };
  const counts = {
    starts: 4,
    listeningMs: 10,
    earlySkips: 1,
    completions: 2,
    repeats: 0,
    trackDiscoveries: 0,
    artistDiscoveries: 0,
    likes: 2,
    saves: 0,
  };
  it("add counts up across days and slices; per-session figures only where sessions are grouped", () => {
    const figures = [
      { ...figure, ...counts },
      { ...figure, day: "2026-11-02", device: "car", ...counts },
    ];
    const lengths = [{ day: "2026-11-01", region: "SE", lengthMs: 100, sessions: 4 }];
    const q = {
      from: "2026-11-01",
      to: "2026-11-02",
      metric: ["plays", "skipRate", "likesPerSession"] as MetricsQuery["metric"],
    };
    expect(metricRows({ ...q, by: "surface" }, figures, lengths, [])).toEqual([
      { surface: "radio", plays: 8, skipRate: 0.25, likesPerSession: null },
    ]);
    expect(metricRows({ ...q, by: "region" }, figures, lengths, [])).toEqual([
      { region: "SE", plays: 8, skipRate: 0.25, likesPerSession: 1 },
    ]);
  });

  it("CSV quotes what needs quoting and leaves null empty", () => {
    expect(toCsv(["a", "b"], [{ a: 'x,"y"', b: null }])).toBe('a,b\r\n"x,""y""",\r\n');
  });
});
