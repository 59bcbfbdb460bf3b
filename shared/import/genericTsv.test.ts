import { describe, expect, it } from "vitest";
import { parseInteractionTsv } from "./genericTsv";

describe("parseInteractionTsv", () => {
  it("detects a header and reads optional timestamps in seconds, milliseconds or ISO 8601", () => {
    const text =
      "listener\titem\tweight\tts\nu1\ta\t3\t1700000000\nu1\tb\t-1\t1700000000123\nu2\ta\t0.5\t2024-01-02T03:04:05Z\nu2\tc\t1\n";
    const { rows, rejected } = parseInteractionTsv(text);
    expect(rejected).toEqual([]);
    expect(rows).toEqual([
      { listener: "u1", item: "a", weight: 3, timestamp: 1700000000000 },
      { listener: "u1", item: "b", weight: -1, timestamp: 1700000000123 },
      { listener: "u2", item: "a", weight: 0.5, timestamp: Date.UTC(2024, 0, 2, 3, 4, 5) },
      { listener: "u2", item: "c", weight: 1 },
    ]);
  });

  it("treats a numeric first line as data and rejects malformed lines", () => {
    const { rows, rejected } = parseInteractionTsv("u1\ta\t2\nu2\t\t1\nu3\tb\tlots\nu4\tc\t1\tyesterday\n");
    expect(rows).toHaveLength(1);
    expect(rejected.map((r) => [r.line, r.reason.split(" ")[0]])).toEqual([
      [2, "item"],
      [3, "weight"],
      [4, "timestamp"],
    ]);
  });
});
