import { pseudonymize } from "../../shared/identity";
import type { Env } from "./env";

/** The session object of a listener, addressed by pseudonym so the raw id never leaves the edge. */
export function sessionOf(env: Env, pseudonym: string) {
  return env.SESSIONS.get(env.SESSIONS.idFromName(pseudonym));
}

export function listenerPseudonym(env: Env, rawId: string): Promise<string> {
  return pseudonymize(env.LISTENER_ID_KEY, rawId);
}
