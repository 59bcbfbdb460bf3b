/**
 * The heap of the local runtime's first worker (the edge, first in `npm start`'s configs), read over the
 * DevTools protocol wrangler dev serves on its inspector port: what the isolate holds after a garbage
 * collection, which is what the 128 MB a Worker has is spent on.
 */
export async function isolateHeap(inspectorPort: number): Promise<{ usedBytes: number; totalBytes: number }> {
  // The inspector refuses a handshake without an Origin; Node's WebSocket (undici) takes headers.
  const init = { headers: { origin: `http://127.0.0.1:${inspectorPort}` } };
  const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/ws`, init as unknown as string[]);
  await new Promise((open, fail) => {
    socket.addEventListener("open", open, { once: true });
    socket.addEventListener("error", fail, { once: true });
  });
  let id = 0;
  const call = (method: string) =>
    new Promise<Record<string, number>>((answer, fail) => {
      const asked = ++id;
      const onMessage = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as {
          id?: number;
          result?: Record<string, number>;
          error?: unknown;
        };
        if (message.id !== asked) return;
        socket.removeEventListener("message", onMessage);
        if (message.error) fail(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else answer(message.result ?? {});
      };
      socket.addEventListener("message", onMessage);
      socket.send(JSON.stringify({ id: asked, method }));
    });
  try {
    await call("HeapProfiler.collectGarbage");
    const usage = await call("Runtime.getHeapUsage");
    return { usedBytes: usage.usedSize!, totalBytes: usage.totalSize! };
  } finally {
    socket.close();
  }
}
