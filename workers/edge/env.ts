import type { ListenerSession } from "./session";

export interface Env extends Omit<
  EdgeBindings,
  | "SESSIONS"
  | "CORS_ORIGINS"
  | "LISTENER_TOKEN_ISSUER"
  | "LISTENER_TOKEN_AUDIENCE"
  | "ALEXA_SKILL_ID"
  | "STREAM_BASE_URL"
> {
  SESSIONS: DurableObjectNamespace<ListenerSession>;
  /** Secret key for listener pseudonyms; `wrangler secret put LISTENER_ID_KEY` on both workers. */
  LISTENER_ID_KEY: string;
  /** Signs listener tokens (HS256); `wrangler secret put LISTENER_TOKEN_SECRET` on the edge. */
  LISTENER_TOKEN_SECRET: string;
  /** Browser origins allowed by CORS, comma-separated. */
  CORS_ORIGINS: string;
  /** The iss and aud that listener tokens must carry. */
  LISTENER_TOKEN_ISSUER: string;
  LISTENER_TOKEN_AUDIENCE: string;
  /** The Alexa skill's application id; requests for other skills are refused. */
  ALEXA_SKILL_ID: string;
  /** Where track audio is served: a stream URL is this base joined with the track id. */
  STREAM_BASE_URL: string;
}

export interface AppEnv {
  Bindings: Env;
}
