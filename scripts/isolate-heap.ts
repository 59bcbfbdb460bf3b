/**
 * The heap of the local runtime's first worker (the edge, first in `npm start`'s configs), read over the
 * DevTools protocol wrangler dev serves on its inspector port (Runtime.getHeapUsage): what the isolate
 * holds, which is what the 128 MB a Worker has is spent on. (The runtime does not answer
 * HeapProfiler.collectGarbage, so the figure includes garbage not yet collected: an upper bound.)
 */
export async function isolateHeap(inspectorPort: number): Promise<{ usedBytes: number; totalBytes: number }> {
  // The inspector refuses a handshake without an Origin; Node's WebSocket (undici) takes headers.
  const init = { headers: { origin: `http://127.0.0.1:${inspectorPort}` } };
  const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/ws`, init as unknown as string[]);
  const answers = new Map<number, (result: Record<string, number>) => void>();
  // The proxy forwards what a client sends only once it is attached to the runtime, which its first message says.
  const attached = new Promise<void>((ready, fail) => {
    socket.addEventListener("error", () => fail(new Error(`no inspector on port ${inspectorPort}`)), { once: true });
    socket.addEventListener("message", (event) => {
      ready();
      const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, number> };
      if (message.id !== undefined) answers.get(message.id)?.(message.result ?? {});
    });
  });
  let id = 0;
  const call = (method: string) =>
    new Promise<Record<string, number>>((answer, fail) => {
      const asked = ++id;
      answers.set(asked, answer);
      setTimeout(() => fail(new Error(`the inspector did not answer ${method}`)), 10_000);
      socket.send(JSON.stringify({ id: asked, method }));
    });
  try {
    await attached;
    const usage = await call("Runtime.getHeapUsage");
    return { usedBytes: usage.usedSize!, totalBytes: usage.totalSize! };
  } finally {
    socket.close();
  }
}
