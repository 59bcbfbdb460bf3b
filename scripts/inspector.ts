/**
 * A DevTools protocol session with the local runtime's first worker (the edge, first in `npm start`'s
 * configs; its Durable Objects run in the same isolate), over the inspector port wrangler dev serves.
 */
export interface InspectorSession {
  call<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  close(): void;
}

/** Opens a session once the proxy is attached; each call fails if it is not answered within `timeoutMs`. */
export async function openInspector(inspectorPort: number, timeoutMs = 10_000): Promise<InspectorSession> {
  // The inspector refuses a handshake without an Origin; Node's WebSocket (undici) takes headers.
  const init = { headers: { origin: `http://127.0.0.1:${inspectorPort}` } };
  const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/ws`, init as unknown as string[]);
  const answers = new Map<number, { answer: (result: never) => void; fail: (error: Error) => void }>();
  // The proxy forwards what a client sends only once it is attached to the runtime, which its first message says.
  const attached = new Promise<void>((ready, fail) => {
    socket.addEventListener("error", () => fail(new Error(`no inspector on port ${inspectorPort}`)), { once: true });
    socket.addEventListener("message", (event) => {
      ready();
      const message = JSON.parse(String(event.data)) as { id?: number; result?: never; error?: { message: string } };
      const waiting = message.id === undefined ? undefined : answers.get(message.id);
      if (!waiting) return;
      answers.delete(message.id!);
      if (message.error) waiting.fail(new Error(message.error.message));
      else waiting.answer(message.result ?? ({} as never));
    });
  });
  await attached.catch((error: unknown) => {
    socket.close();
    throw error;
  });
  let id = 0;
  return {
    call: <T>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((answer, fail) => {
        const asked = ++id;
        const timer = setTimeout(() => fail(new Error(`the inspector did not answer ${method}`)), timeoutMs);
        answers.set(asked, {
          answer: (result: never) => [clearTimeout(timer), answer(result)],
          fail: (error) => [clearTimeout(timer), fail(error)],
        });
        socket.send(JSON.stringify({ id: asked, method, params }));
      }),
    close: () => socket.close(),
  };
}
