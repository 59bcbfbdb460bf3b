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
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
    return `rss ${mb(this.rss)}, heap+arrayBuffers ${mb(this.heap)}`;
  }
}
