/** Bytes as MB, for the figures the scripts print. */
export function mb(bytes: number, digits = 1): string {
  return `${(bytes / 2 ** 20).toFixed(digits)} MB`;
}

/** Peak memory of this process over a run, sampled by the caller and/or on a timer. */
export class MemoryPeak {
  rss = 0;
  heap = 0;

  sample(): void {
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.heap = Math.max(this.heap, m.heapUsed + m.arrayBuffers);
  }

  toString(): string {
    return `rss ${mb(this.rss, 0)}, heap+arrayBuffers ${mb(this.heap, 0)}`;
  }
}
