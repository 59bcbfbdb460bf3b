import { describe, expect, it } from "vitest";
import { latencyGuardrailBreached } from "./guardrail";
import { histogramQuantile } from "./latency";

describe("p99 latency from a histogram", () => {
  it("is the upper bound of the bucket holding the 99th percentile, with an interval of whole buckets", () => {
    const p99 = histogramQuantile({ 10: 500, 20: 400, 50: 89, 100: 10, 200: 1 }, 0.99)!;
    // Rank 990 of 1000: past the 989 answers up to 50 ms, so in the 100 ms bucket.
    expect(p99.requests).toBe(1000);
    expect(p99.estimate).toBe(100);
    // Ranks 990 -/+ 1.96 sqrt(9.9) = 983.8 .. 996.2: from the 50 ms bucket's lower edge to the 100 ms bucket's upper edge.
    expect(p99.interval).toEqual([20, 100]);
  });

  it("is nothing without answers", () => {
    expect(histogramQuantile({}, 0.99)).toBeNull();
    expect(histogramQuantile({ 10: 0 }, 0.99)).toBeNull();
  });

  it("breaches its guardrail only when the variant is surely slower by more than the tolerance", () => {
    // Ranks 9900 -/+ 19.5 of 10,000: fast's all in its 20 ms bucket (10..20), slow's in its 80 ms one (40..80).
    const fast = histogramQuantile({ 10: 9000, 20: 950, 40: 50 }, 0.99)!;
    const slow = histogramQuantile({ 10: 9000, 20: 100, 40: 100, 80: 800 }, 0.99)!;
    expect([fast.interval, slow.interval]).toEqual([
      [10, 20],
      [40, 80],
    ]);
    expect(latencyGuardrailBreached(slow, fast, 0)).toBe(true);
    expect(latencyGuardrailBreached(fast, fast, 0)).toBe(false);
    expect(latencyGuardrailBreached(fast, slow, 0)).toBe(false);
    // 40 ms is not more than 20 ms raised by 100%.
    expect(latencyGuardrailBreached(slow, fast, 1)).toBe(false);
    expect(latencyGuardrailBreached(slow, fast, 0.9)).toBe(true);
  });
});
