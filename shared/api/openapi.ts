/**
 * The one way routes are defined and documented: `apiApp()` for a sub-app, `createRoute` with the
 * request's zod schemas (the same ones that validate it), `json(...)` for each answer and
 * `errorResponses(...)` for the problem-details errors the route can give. The OpenAPI document
 * (/openapi.json) and the typed client (`hc<AppType>`, client/) both come from these definitions.
 *
 *   const getThing = createRoute({
 *     method: "get", path: "/{id}", tags: ["Things"], summary: "...",
 *     ...forListener("client"),                 // or forApp(...roles): guards + documented security
 *     request: { params: z.strictObject({ id: Id.meta({ example: "trk-00042" }) }), query: NoQuery },
 *     responses: { 200: json(Thing, "The thing"), ...errorResponses(400, 401, 403, 404, 429, 503) },
 *   });
 *   export const thingsApp = apiApp<AppEnv>().openapi(getThing, async (c) => {
 *     if (!found) return problemJson(c, 404, "No thing with id ...");  // typed, as documented
 *     return c.json(body, 200);                                          // must match `Thing`
 *   });
 *
 * A body is `jsonBody(Schema, { name: { summary, value } })`; its examples are sent to the edge by
 * test/edge/openapi.test.ts. Answer shapes live in shared/api/responses.ts.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Env } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodType } from "zod";
import { PROBLEM_CONTENT_TYPE, problem, ProblemDetails } from "./problem";
import { problemHook } from "./validate";

export { createRoute } from "@hono/zod-openapi";

/** Names of the two security schemes in the document's components. */
export const API_KEY_SCHEME = "apiKey";
export const LISTENER_TOKEN_SCHEME = "listenerToken";

export const SECURITY_SCHEMES = {
  [API_KEY_SCHEME]: {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description:
      "The calling app's API key; its role (client, speaker or operator) says which routes it may call. `npm start` creates dev-client-key, dev-speaker-key and dev-operator-key.",
  },
  [LISTENER_TOKEN_SCHEME]: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "The signed-in listener's token (HS256, `sub` the listener id, `exp` at most 24 h ahead, `iss` and `aud` as the edge is configured); routes under /v1/me act for this listener. `npm run -s token -- demo-1` prints one.",
  },
} as const;

/** Security requirements: the app's key alone, or the key and the listener's token together. */
export const APP_KEY = [{ [API_KEY_SCHEME]: [] }];
export const APP_KEY_AND_LISTENER = [{ [API_KEY_SCHEME]: [], [LISTENER_TOKEN_SCHEME]: [] }];

const ERRORS = {
  400: "Invalid parameters or body; `errors` names each offending field",
  401: "No API key, an unknown or revoked one, or (routes for a listener) a missing, expired or invalid listener token",
  403: "The API key's role may not call this route, or the body names another listener",
  404: "Nothing found for the path",
  409: "The change conflicts with what is stored (e.g. the listener already has the most playlists allowed); `errors` names it",
  413: "The request body is larger than the route takes",
  415: "The body is not JSON (send content-type: application/json)",
  422: "The body is well-formed but names something the catalog does not have; `errors` names it",
  429: "Too many requests for this key, listener or client address; retry after `retry-after` seconds",
  503: "A store the answer needs cannot be read right now; retry shortly (`degraded` names the stores)",
} as const;
export type ErrorStatus = keyof typeof ERRORS;

const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDetails } } as const;
interface ErrorResponse {
  description: string;
  content: typeof problemContent;
}

/** The problem-details answers a route can give, e.g. `errorResponses(400, 401, 403, 429, 503)`. */
export function errorResponses<const S extends readonly ErrorStatus[]>(
  ...statuses: S
): Record<S[number], ErrorResponse> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: ERRORS[status],
        content: problemContent,
        ...(status === 429 || status === 503
          ? { headers: { "retry-after": { description: "Seconds to wait", schema: { type: "integer" } } } }
          : {}),
      },
    ]),
  ) as Record<S[number], ErrorResponse>;
}

/** A JSON answer and what it means. */
export function json<T extends ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

/** A JSON request body, required, with examples shown in the docs and sent by the examples test. */
export function jsonBody<T extends ZodType>(schema: T, examples: Record<string, { summary: string; value: unknown }>) {
  return { required: true, content: { "application/json": { schema, examples } } } as const;
}

/** A sub-app whose failed validations answer as problem details, like every route of the API. */
export function apiApp<E extends Env>() {
  return new OpenAPIHono<E>({ defaultHook: problemHook });
}

/**
 * A problem-details answer typed for the route (so the client sees the error's shape and status):
 * for errors a handler finds itself, after validation.
 */
export function problemJson<S extends ContentfulStatusCode>(
  c: Context,
  status: S,
  detail: string,
  extra: Partial<ProblemDetails> = {},
  headers: Record<string, string> = {},
) {
  return c.json(problem(status, detail, extra), status, { ...headers, "content-type": PROBLEM_CONTENT_TYPE });
}
