/**
 * The typed client of the Setlist API: Hono's RPC client over the edge app's own route types, so
 * each call's path, parameters, body and every documented answer (problem details included) are
 * checked by the compiler.
 */
import { hc } from "hono/client";
import type { AppType } from "../workers/edge/app";

export type { AppType };

// The app's types are worked out once here rather than at each use (Hono's advice for large apps).
const typed = hc<AppType>("");
export type SetlistClient = typeof typed;

/** A client for the API at `baseUrl`; options as hc's (headers, a fetch of your own, ...). */
export function setlistClient(...args: Parameters<typeof hc>): SetlistClient {
  return hc<AppType>(...args);
}

/** The headers of an app with its API key, acting for a signed-in listener when given their token. */
export function credentials(apiKey: string, listenerToken?: string): Record<string, string> {
  return { "x-api-key": apiKey, ...(listenerToken ? { authorization: `Bearer ${listenerToken}` } : {}) };
}
