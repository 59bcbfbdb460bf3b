import { env } from "cloudflare:workers";

/**
 * The KV keys under `prefix` once a finished trainer has been let go: a `discard` job deletes it after the
 * job that finished it, so this waits up to 10 s for the keys to go.
 */
export async function keysLeftAfterDiscard(prefix: string): Promise<string[]> {
  let left = await env.MODELS.list({ prefix });
  for (let i = 0; i < 100 && left.keys.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await env.MODELS.list({ prefix });
  }
  return left.keys.map((k) => k.name);
}
