/**
 * The heap of one worker's V8 isolate in the local runtime, read over the DevTools protocol of the runtime's
 * own inspector (one target per worker, e.g. `core:user:setlist-edge`): what the isolate holds, which is what
 * the 128 MB a Worker has is spent on. wrangler's inspector proxy (its --inspector-port) does not answer
 * HeapProfiler.collectGarbage, so the runtime's own socket is found among the network's processes' ports.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Ports the given processes listen on (Linux: their socket inodes matched against /proc/net/tcp). */
function listeningPorts(pids: number[]): number[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const link = (() => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return "";
        }
      })();
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode) inodes.add(inode);
    }
  }
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === "0A" && inodes.has(fields[9]!))
    .map((fields) => parseInt(fields[1]!.split(":")[1]!, 16));
}

function processesInGroup(group: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        // Field 5 of stat is the process group; the command name before it may hold spaces, hence the ")".
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === group;
      } catch {
        return false;
      }
    });
}

/** The inspector socket of the worker `name` in the runtime that process group `group` runs. */
export async function workerInspector(group: number, name: string): Promise<string> {
  const target = `core:user:${name}`;
  for (const port of listeningPorts(processesInGroup(group))) {
    const targets = (await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(1000) })
      .then((r) => (r.ok ? r.json() : []))
      .catch(() => [])) as { id?: string; webSocketDebuggerUrl?: string }[];
    const found = Array.isArray(targets) ? targets.find((t) => t.id === target) : undefined;
    if (found?.webSocketDebuggerUrl) return found.webSocketDebuggerUrl;
  }
  throw new Error(`no inspector target for ${name}`);
}

export interface IsolateHeap {
  /** JavaScript heap in use after a full collection: what the isolate really holds. */
  liveBytes: number;
  /** The same plus the array buffers' backing stores. */
  withBuffersBytes: number;
  /** In use before the collection (live and garbage not yet collected). */
  beforeCollectionBytes: number;
}

/**
 * Forces a full collection in the isolate behind `url` (workerInspector) and reads its heap before and after.
 * The runtime answers an isolate's inspector only while that isolate has work, so `nudge` (a request to the
 * worker) is sent while each answer is awaited.
 */
export async function isolateHeap(url: string, nudge: () => Promise<unknown> = async () => {}): Promise<IsolateHeap> {
  const socket = new WebSocket(url);
  const answers = new Map<number, (result: Record<string, number>) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, number> };
    if (message.id !== undefined) answers.get(message.id)?.(message.result ?? {});
  });
  await new Promise((open, fail) => {
    socket.addEventListener("open", open, { once: true });
    socket.addEventListener("error", () => fail(new Error(`no inspector at ${url}`)), { once: true });
  });
  let id = 0;
  const call = (method: string) =>
    new Promise<Record<string, number>>((answer, fail) => {
      const asked = ++id;
      answers.set(asked, answer);
      setTimeout(() => fail(new Error(`the inspector did not answer ${method}`)), 30_000);
      socket.send(JSON.stringify({ id: asked, method }));
      void nudge().catch(() => {});
    });
  try {
    const before = await call("Runtime.getHeapUsage");
    await call("HeapProfiler.collectGarbage");
    const after = await call("Runtime.getHeapUsage");
    return {
      liveBytes: after.usedSize!,
      withBuffersBytes: after.usedSize! + (after.backingStorageSize ?? 0),
      beforeCollectionBytes: before.usedSize!,
    };
  } finally {
    socket.close();
  }
}
