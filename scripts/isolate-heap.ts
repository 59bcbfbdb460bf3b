import { startCpuProfile, type CpuProfile } from "./cpu-profile";
import { openInspector } from "./inspector";

/**
 * The isolate's heap in use after a full collection, so the figure is what the isolate holds, not garbage
 * a collection would free: what the 128 MB a Worker has is spent on. The runtime never answers
 * HeapProfiler.collectGarbage (V8 runs it as a task posted to the isolate's platform, which workerd does
 * not run for the inspector), but a heap snapshot starts with a full collection of its own, done before
 * the snapshot is answered; its chunks are dropped unread. `backingBytes` are array buffers' contents,
 * outside the V8 heap proper.
 */
export async function isolateHeap(
  inspectorPort: number,
): Promise<{ usedBytes: number; totalBytes: number; backingBytes: number }> {
  // A snapshot of a large heap takes minutes on a loaded machine.
  const session = await openInspector(inspectorPort, 300_000);
  try {
    await session.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const usage = await session.call<{ usedSize: number; totalSize: number; backingStorageSize?: number }>(
      "Runtime.getHeapUsage",
    );
    return { usedBytes: usage.usedSize, totalBytes: usage.totalSize, backingBytes: usage.backingStorageSize ?? 0 };
  } finally {
    session.close();
  }
}

/**
 * Samples the isolate's CPU from `startAfterMs` on (see startCpuProfile) and returns a function that stops
 * it and resolves with the profile, in the .cpuprofile format DevTools and speedscope open.
 */
export async function profileIsolate(
  inspectorPort: number,
  samplingIntervalUs = 500,
  startAfterMs = 0,
): Promise<() => Promise<CpuProfile>> {
  const session = await openInspector(inspectorPort, 60_000);
  const stop = await startCpuProfile(session, samplingIntervalUs, startAfterMs);
  return async () => {
    try {
      return await stop();
    } finally {
      session.close();
    }
  };
}
