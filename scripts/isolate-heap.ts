import { openInspector } from "./inspector";

/**
 * The heap of the local runtime's edge isolate (Runtime.getHeapUsage): what the isolate holds, which is
 * what the 128 MB a Worker has is spent on. (The runtime does not answer HeapProfiler.collectGarbage, so
 * the figure includes garbage not yet collected: an upper bound.)
 */
export async function isolateHeap(inspectorPort: number): Promise<{ usedBytes: number; totalBytes: number }> {
  const session = await openInspector(inspectorPort);
  try {
    const usage = await session.call<{ usedSize: number; totalSize: number }>("Runtime.getHeapUsage");
    return { usedBytes: usage.usedSize, totalBytes: usage.totalSize };
  } finally {
    session.close();
  }
}
