/**
 * What the KPIs are grouped by: the day, or one slice over the range. Plain constants with no
 * imports, so that the dashboard's bundle takes them without the schemas (and zod) of the modules
 * that compute KPIs.
 */
export const SLICE_DIMENSIONS = ["surface", "device", "region", "variant", "modelVersion"] as const;
export const METRIC_GROUPS = ["day", ...SLICE_DIMENSIONS] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];
