import { describe, expect, it } from "vitest";
import { batchLag, lagSeries, LAG_MINUTE_MS, minuteOf } from "./queue-lag";

const at = (ms: number, attempts = 1) => ({ timestamp: new Date(ms), attempts });

describe("queue lag", () => {
  it("takes a batch's wait from its oldest message and counts redeliveries", () => {
    const now = 10 * LAG_MINUTE_MS + 5_000;
    expect(batchLag([at(now - 3_000), at(now - 40_000, 2), at(now - 1_000)], now)).toEqual({
      minute: 10 * LAG_MINUTE_MS,
      messages: 3,
      retried: 1,
      maxWaitMs: 40_000,
      totalWaitMs: 44_000,
    });
  });

  it("counts a message from a clock ahead of the consumer's as no wait", () => {
    expect(batchLag([at(2_000)], 1_000)).toMatchObject({ maxWaitMs: 0, totalWaitMs: 0 });
  });

  it("draws every minute of the window, quiet minutes as zeros, the mean per message", () => {
    const m = (i: number) => i * LAG_MINUTE_MS;
    const rows = [{ minute: m(3), batches: 2, messages: 4, retried: 1, maxWaitMs: 900, totalWaitMs: 2_000 }];
    const series = lagSeries(rows, m(2) + 59_000, m(4) + 1);
    expect(series.map((p) => p.minute)).toEqual([m(2), m(3), m(4)]);
    expect(series[1]).toEqual({ minute: m(3), batches: 2, messages: 4, retried: 1, maxWaitMs: 900, meanWaitMs: 500 });
    expect(series[0]).toEqual({ minute: m(2), batches: 0, messages: 0, retried: 0, maxWaitMs: 0, meanWaitMs: 0 });
    expect(minuteOf(m(4) + 59_999)).toBe(m(4));
  });
});
