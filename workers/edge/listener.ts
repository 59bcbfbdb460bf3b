import { LRUCache } from "lru-cache";
import { pseudonymize } from "../../shared/identity";
import type { Env } from "./env";

/** The session object of a listener, addressed by pseudonym so the raw id never leaves the edge. */
export function sessionOf(env: Env, pseudonym: string) {
  return env.SESSIONS.get(env.SESSIONS.idFromName(pseudonym));
}

/** As many as the isolate's accepted tokens (./auth/listener-token.ts): one per listener it serves. */
const MAX_PSEUDONYMS = 10_000;

/**
 * Pseudonyms this isolate computed, so a listener's every request does not pay an HMAC: the pseudonym
 * is a pure function of the key and the id. Held in memory only, like the raw ids the isolate's
 * requests carry, and keyed by the key too.
 */
const pseudonyms = new LRUCache<string, string, { secret: string; rawId: string }>({
  max: MAX_PSEUDONYMS,
  fetchMethod: (_key, _stale, { context }) => pseudonymize(context.secret, context.rawId),
});

export async function listenerPseudonym(env: Env, rawId: string): Promise<string> {
  const key = JSON.stringify([env.LISTENER_ID_KEY, rawId]);
  return (await pseudonyms.fetch(key, { context: { secret: env.LISTENER_ID_KEY, rawId } }))!;
}
