import type { ListenerSession } from "./session";

export interface Env extends Omit<EdgeBindings, "SESSIONS"> {
  SESSIONS: DurableObjectNamespace<ListenerSession>;
  /** Secret key for listener pseudonyms; `wrangler secret put LISTENER_ID_KEY` on both workers. */
  LISTENER_ID_KEY: string;
}

export interface AppEnv {
  Bindings: Env;
}
