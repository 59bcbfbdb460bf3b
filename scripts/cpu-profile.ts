import type { InspectorSession } from "./inspector";

/** A V8 CPU profile as the DevTools protocol's Profiler.stop answers it (the fields read here). */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Starts sampling the isolate's CPU (every `intervalUs`), `startAfterMs` after the profiler is enabled; the
 * answer stops it and hands over the profile. A caller about to put load on an idle isolate starts it a
 * moment into the load: started while the edge isolate was idle, the profiler recorded next to nothing (one
 * sample in seven tries), where seven of seven started under load recorded the route.
 */
export async function startCpuProfile(
  session: InspectorSession,
  intervalUs = 200,
  startAfterMs = 0,
): Promise<() => Promise<CpuProfile>> {
  await session.call("Profiler.enable");
  await session.call("Profiler.setSamplingInterval", { interval: intervalUs });
  const started = new Promise((r) => setTimeout(r, startAfterMs)).then(() => session.call("Profiler.start"));
  return async () => {
    await started;
    return (await session.call<{ profile: CpuProfile }>("Profiler.stop", {})).profile;
  };
}

export interface FunctionTime {
  /** The function's name, where it is defined (bundle URL's last segment and line). */
  name: string;
  /** Milliseconds sampled in the function itself. */
  selfMs: number;
  /** Milliseconds sampled in it or anything it called (a recursive call counted once). */
  totalMs: number;
}

/**
 * Where the sampled time went, per function: self and total, from each sample's time (the delta to the
 * next sample). The runtime's idle time is its `(idle)` node, kept apart as `idleMs`.
 */
export function functionTimes(profile: CpuProfile): { wallMs: number; idleMs: number; functions: FunctionTime[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  const nameOf = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.split("/").at(-1) ?? "";
    return file ? `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}` : functionName || "(anonymous)";
  };
  const functions = new Map<string, FunctionTime>();
  const entry = (name: string) => {
    let f = functions.get(name);
    if (!f) functions.set(name, (f = { name, selfMs: 0, totalMs: 0 }));
    return f;
  };
  // Depth first from the root: each node's subtree time is added to every distinct function on its path.
  const subtreeUs = (id: number, path: Set<string>): number => {
    const name = nameOf(id);
    const own = selfUs.get(id) ?? 0;
    entry(name).selfMs += own / 1000;
    const inner = new Set(path).add(name);
    const total = own + (byId.get(id)!.children ?? []).reduce((sum, child) => sum + subtreeUs(child, inner), 0);
    if (!path.has(name)) entry(name).totalMs += total / 1000;
    return total;
  };
  const root = profile.nodes[0]!.id;
  subtreeUs(root, new Set());
  const idleMs = functions.get("(idle)")?.selfMs ?? 0;
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    idleMs,
    functions: [...functions.values()].filter((f) => !f.name.startsWith("(root)") && f.name !== "(idle)"),
  };
}
