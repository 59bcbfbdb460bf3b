/**
 * The local runtime's first worker (the edge, first in `npm start`'s configs) over the DevTools protocol
 * wrangler dev serves on its inspector port: its heap after a full collection, and CPU profiles of it.
 */

type Result = Record<string, unknown>;

/** One DevTools session with the runtime: calls a protocol method and resolves with its result. */
async function inspectorSession(inspectorPort: number) {
  // The inspector refuses a handshake without an Origin; Node's WebSocket (undici) takes headers.
  const init = { headers: { origin: `http://127.0.0.1:${inspectorPort}` } };
  const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/ws`, init as unknown as string[]);
  const answers = new Map<number, { answer: (result: Result) => void; fail: (error: Error) => void }>();
  // The proxy forwards what a client sends only once it is attached to the runtime, which its first message says.
  const attached = new Promise<void>((ready, fail) => {
    socket.addEventListener("error", () => fail(new Error(`no inspector on port ${inspectorPort}`)), { once: true });
    socket.addEventListener("message", (event) => {
      ready();
      const message = JSON.parse(String(event.data)) as { id?: number; result?: Result; error?: { message: string } };
      const waiting = message.id === undefined ? undefined : answers.get(message.id);
      if (!waiting) return;
      answers.delete(message.id!);
      if (message.error) waiting.fail(new Error(message.error.message));
      else waiting.answer(message.result ?? {});
    });
  });
  await attached;
  let id = 0;
  return {
    call(method: string, params: Result = {}, timeoutMs = 60_000): Promise<Result> {
      return new Promise<Result>((answer, fail) => {
        const asked = ++id;
        const timer = setTimeout(() => fail(new Error(`the inspector did not answer ${method}`)), timeoutMs);
        answers.set(asked, {
          answer: (result) => [clearTimeout(timer), answer(result)],
          fail: (error) => [clearTimeout(timer), fail(error)],
        });
        socket.send(JSON.stringify({ id: asked, method, params }));
      });
    },
    close: () => socket.close(),
  };
}

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
  const session = await inspectorSession(inspectorPort);
  try {
    await session.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false }, 300_000);
    const usage = await session.call("Runtime.getHeapUsage");
    return {
      usedBytes: usage.usedSize as number,
      totalBytes: usage.totalSize as number,
      backingBytes: (usage.backingStorageSize as number | undefined) ?? 0,
    };
  } finally {
    session.close();
  }
}

/**
 * Starts sampling the isolate's CPU (Profiler.start) and returns a function that stops it and resolves with
 * the profile, in the .cpuprofile format DevTools and speedscope open.
 */
export async function profileIsolate(inspectorPort: number, samplingIntervalUs = 500): Promise<() => Promise<unknown>> {
  const session = await inspectorSession(inspectorPort);
  await session.call("Profiler.enable");
  await session.call("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
  await session.call("Profiler.start");
  return async () => {
    try {
      return (await session.call("Profiler.stop")).profile;
    } finally {
      session.close();
    }
  };
}
