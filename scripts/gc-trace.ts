/**
 * What V8's own trace of its collections (`--trace-gc --trace-gc-verbose`, which `npm start -- --v8-flags`
 * gives the local runtime alone) says of an isolate's memory while a Workflow step runs: the runtime answers
 * the inspector only between steps, but V8 prints every collection as it happens. Each collection is a line
 * of the isolate's heap before and after it, then a block of figures after it, the backing stores of its
 * array buffers (the trainer's typed arrays) among them.
 */

/** One collection of one isolate, as traced. */
export interface TracedCollection {
  /** `pid:address`, the isolate's own name in the trace. */
  isolate: string;
  /** `Scavenge`, `Mark-Compact`, …: a Mark-Compact collects the whole heap, so what it leaves is live. */
  kind: string;
  /** Why V8 collected: `allocation failure`, or `low memory notification` when the inspector asked. */
  reason: string;
  /** The JavaScript heap before and after it, in bytes. */
  before: number;
  after: number;
  /** Array buffers' backing stores after it, in bytes (from the verbose block; 0 if it was cut off). */
  buffers: number;
  /** The line of the output it was printed on, to place it among the workers' own logs. */
  line: number;
}

const MB = 2 ** 20;
const COLLECTION =
  /^\[(\d+:0x[0-9a-f]+)\]\s+[\d.]+ ms: ([A-Za-z-]+(?: [A-Za-z-]+)*?)(?: \([^)]*\))? ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB,.*?current mu = [\d.]+\) ([^;]+);/;
const BUFFERS = /^\[(\d+:0x[0-9a-f]+)\] Backing store memory:\s+(\d+) KB/;

/** The collections traced in `lines`, in order, each with the backing stores its verbose block reported. */
export function tracedCollections(lines: readonly string[]): TracedCollection[] {
  const collections: TracedCollection[] = [];
  const latest = new Map<string, TracedCollection>();
  lines.forEach((text, line) => {
    const collected = COLLECTION.exec(text);
    if (collected) {
      const [, isolate, kind, before, after, reason] = collected;
      const collection = {
        isolate: isolate!,
        kind: kind!,
        reason: reason!.trim(),
        before: Number(before) * MB,
        after: Number(after) * MB,
        buffers: 0,
        line,
      };
      collections.push(collection);
      latest.set(collection.isolate, collection);
      return;
    }
    const buffers = BUFFERS.exec(text);
    const owner = buffers && latest.get(buffers[1]!);
    if (owner) owner.buffers = Number(buffers[2]) * 1024;
  });
  return collections;
}

/** Where a step ended: the line its log entry was printed on. */
export interface StepEnd {
  step: string;
  line: number;
}

/** The most an isolate's collections inside one step showed. */
export interface StepMemory {
  step: string;
  collections: number;
  /** Heap and array buffers after a whole-heap collection: what the step held live then. */
  live: number;
  /** Heap before a collection and array buffers after it: the most it reached, garbage included. */
  reached: number;
}

/**
 * The memory of `isolates` within each step of a run that began on line `from`: a collection belongs to the
 * first step that ends after it (a step logs as it ends). The runtime writes V8's trace through a buffer of
 * its own, so a collection a few lines before a step's end may be the next step's; over a step of many
 * collections that moves nothing.
 */
export function memoryByStep(
  collections: readonly TracedCollection[],
  isolates: ReadonlySet<string>,
  from: number,
  ends: readonly StepEnd[],
): StepMemory[] {
  const byStep = new Map<number, StepMemory>();
  for (const collection of collections) {
    if (!isolates.has(collection.isolate) || collection.line < from) continue;
    const at = ends.findIndex((end) => end.line > collection.line);
    if (at < 0) continue;
    const memory = byStep.get(at) ?? { step: ends[at]!.step, collections: 0, live: 0, reached: 0 };
    memory.collections++;
    if (collection.kind === "Mark-Compact") memory.live = Math.max(memory.live, collection.after + collection.buffers);
    memory.reached = Math.max(memory.reached, collection.before + collection.buffers);
    byStep.set(at, memory);
  }
  return [...byStep.entries()].sort(([a], [b]) => a - b).map(([, memory]) => memory);
}

/** The isolates whose collections the inspector asked for (as the bench does of the retrainer's alone). */
export function inspectedIsolates(collections: readonly TracedCollection[]): Set<string> {
  return new Set(collections.filter((c) => c.reason.startsWith("low memory notification")).map((c) => c.isolate));
}
