/**
 * How far behind its queue a consumer runs, as the consumer itself sees it: for each batch, how long
 * its messages waited since they were sent, and how many were redeliveries. Summed per minute, this is
 * the queue backlog an operator can read without Cloudflare's account metrics (which count messages
 * but exist only in its dashboard and GraphQL API, not locally): a growing wait means the queue fills
 * faster than it drains.
 */
export const LAG_MINUTE_MS = 60_000;

/** What a batch adds to its minute. */
export interface BatchLag {
  minute: number;
  messages: number;
  /** Messages delivered before (attempts > 1): failed writes being retried. */
  retried: number;
  maxWaitMs: number;
  totalWaitMs: number;
}

export interface LagMinute {
  /** Start of the minute, ms since the epoch (UTC). */
  minute: number;
  batches: number;
  messages: number;
  retried: number;
  maxWaitMs: number;
  meanWaitMs: number;
}

export const minuteOf = (ms: number) => Math.floor(ms / LAG_MINUTE_MS) * LAG_MINUTE_MS;

/** A batch's lag at `now`; a clock skewed ahead of the sender's counts as no wait, never a negative one. */
export function batchLag(messages: readonly { timestamp: Date; attempts: number }[], now: number): BatchLag {
  let maxWaitMs = 0;
  let totalWaitMs = 0;
  let retried = 0;
  for (const m of messages) {
    const wait = Math.max(0, now - m.timestamp.getTime());
    maxWaitMs = Math.max(maxWaitMs, wait);
    totalWaitMs += wait;
    if (m.attempts > 1) retried++;
  }
  return { minute: minuteOf(now), messages: messages.length, retried, maxWaitMs, totalWaitMs };
}

/**
 * One point per minute from `from` to `to` (both included, as minutes), minutes with no batch as
 * zeros: a consumer that stopped shows as a gap in deliveries, not as a line drawn across it.
 */
export function lagSeries(
  rows: readonly (Omit<BatchLag, "retried"> & { retried: number; batches: number })[],
  from: number,
  to: number,
): LagMinute[] {
  const byMinute = new Map(rows.map((r) => [r.minute, r]));
  const series: LagMinute[] = [];
  for (let minute = minuteOf(from); minute <= minuteOf(to); minute += LAG_MINUTE_MS) {
    const r = byMinute.get(minute);
    series.push({
      minute,
      batches: r?.batches ?? 0,
      messages: r?.messages ?? 0,
      retried: r?.retried ?? 0,
      maxWaitMs: r?.maxWaitMs ?? 0,
      meanWaitMs: r && r.messages > 0 ? Math.round(r.totalWaitMs / r.messages) : 0,
    });
  }
  return series;
}
