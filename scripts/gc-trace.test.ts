import { describe, expect, it } from "vitest";
import { inspectedIsolates, memoryByStep, tracedCollections } from "./gc-trace";

const MB = 2 ** 20;
// As the local runtime printed them (workerd, V8 flags --trace-gc --trace-gc-verbose), one block cut short.
const output = `[setlist-retrainer] {"msg":"workflow step","step":"plan"}
[6866:0x41ef3fe00000]     2210 ms: Scavenge 30.5 (40.0) -> 12.0 (41.0) MB, pooled: 0.0 MB, 1.18 / 0.00 ms (average mu = 1.000, current mu = 1.000) allocation failure; 
[6866:0x41ef3fe00000] Memory allocator,       used:   5096 KB, available: 4238360 KB
[6866:0x41ef3fe00000] Backing store memory:  10240 KB
[6866:0x72bfbfb8a000]     2230 ms: Scavenge 90.0 (99.0) -> 80.0 (99.0) MB, pooled: 0.0 MB, 1.00 / 0.00 ms (average mu = 1.000, current mu = 1.000) allocation failure; 
[6866:0x41ef3fe00000]     2500 ms: Mark-Compact (reduce) 50.0 (60.0) -> 20.0 (30.0) MB, pooled: 0.0 MB, 4.81 / 0.00 ms (average mu = 0.500, current mu = 0.400) low memory notification; GC in old space requested
[6866:0x41ef3fe00000] Backing store memory:  51200 KB
[setlist-retrainer] {"msg":"workflow step","step":"train slice 1"}
[6866:0x41ef3fe00000]     3000 ms: Mark-Compact 70.0 (80.0) -> 25.0 (40.0) MB, pooled: 0.0 MB, 9.10 / 0.00 ms (average mu = 0.500, current mu = 0.400) allocation failure; 
[setlist-retrainer] {"msg":"workflow step","step":"train slice 2"}
[6866:0x41ef3fe00000]     3100 ms: Scavenge 5.0 (8.0) -> 4.0 (8.0) MB, pooled: 0.0 MB, 1.00 / 0.00 ms (average mu = 1.000, current mu = 1.000) allocation failure; `.split(
  "\n",
);

describe("V8's trace of its collections", () => {
  const collections = tracedCollections(output);
  // The lines the steps' log entries are on.
  const stepEnds = [0, 7, 9].map((line) => {
    const logged = output[line]!;
    return { step: (JSON.parse(logged.slice(logged.indexOf("{"))) as { step: string }).step, line };
  });

  it("reads each collection with its isolate, kind, reason, heap and the backing stores after it", () => {
    expect(collections.map((c) => [c.isolate, c.kind, c.reason, c.before / MB, c.after / MB, c.buffers / MB])).toEqual([
      ["6866:0x41ef3fe00000", "Scavenge", "allocation failure", 30.5, 12, 10],
      ["6866:0x72bfbfb8a000", "Scavenge", "allocation failure", 90, 80, 0],
      ["6866:0x41ef3fe00000", "Mark-Compact", "low memory notification", 50, 20, 50],
      ["6866:0x41ef3fe00000", "Mark-Compact", "allocation failure", 70, 25, 0],
      ["6866:0x41ef3fe00000", "Scavenge", "allocation failure", 5, 4, 0],
    ]);
  });

  it("names the isolates the inspector collected, and no other", () => {
    expect(inspectedIsolates(collections)).toEqual(new Set(["6866:0x41ef3fe00000"]));
  });

  it("gives each step the most its isolate held live and reached, from the collections before its end only", () => {
    const memory = memoryByStep(collections, inspectedIsolates(collections), 0, stepEnds);
    expect(memory.map((m) => [m.step, m.collections, m.live / MB, m.reached / MB])).toEqual([
      ["train slice 1", 2, 70, 100],
      ["train slice 2", 1, 25, 70],
    ]);
    // A run that began after the first collection.
    expect(memoryByStep(collections, inspectedIsolates(collections), 2, stepEnds)[0]).toMatchObject({ collections: 1 });
  });
});
