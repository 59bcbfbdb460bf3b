import { z, type ZodType } from "zod";
import { apiApp, createRoute, errorResponses, json, jsonBody } from "../../../shared/api/openapi";
import { Consent, Erasure, ListenerExport } from "../../../shared/api/responses";
import { Id, NoQuery } from "../../../shared/api/schemas";
import { forApp } from "../auth/require";
import type { AppEnv } from "../env";
import { listenerPseudonym } from "../listener";
import { privacyAnswers } from "../privacy";
import { ConsentChange } from "./privacy";

/**
 * Support for a listener's request, by an operator: the listener's raw id comes in the body (never
 * the URL, which request logs keep) and is pseudonymised here, at the edge, like every listener's.
 */
const Listener = { listenerId: Id.meta({ example: "demo-1" }) };
const ListenerBody = z.strictObject(Listener);
const forOperator = { ...forApp("operator"), tags: ["Operators"] };
const refusals = errorResponses(400, 401, 403, 413, 415, 429, 503);
const example = { one: { summary: "A demo listener", value: { listenerId: "demo-1" } } };

/** A route taking one listener's id and nothing else. */
function forListenerId<P extends string, R extends ZodType>(path: P, summary: string, answer: R, description: string) {
  return createRoute({
    method: "post",
    path,
    summary,
    ...forOperator,
    request: { query: NoQuery, body: jsonBody(ListenerBody, example) },
    responses: { 200: json(answer, description), ...refusals },
  });
}

const lookup = forListenerId(
  "/lookup",
  "A listener's consent, looked up by their id for a support request",
  z.object({ listenerId: z.string(), consent: Consent }),
  "The listener's consent",
);

const consent = createRoute({
  method: "post",
  path: "/consent",
  summary: "Give or withdraw consent for a listener, as they asked",
  ...forOperator,
  request: {
    query: NoQuery,
    body: jsonBody(z.strictObject({ ...Listener, ...ConsentChange }), {
      withdraw: { summary: "Withdraw personalization", value: { listenerId: "demo-1", personalization: false } },
    }),
  },
  responses: { 200: json(Consent, "The consent now in force"), ...refusals },
});

const exportFor = forListenerId(
  "/export",
  "A copy of everything held about a listener, for their access request",
  ListenerExport,
  "The export",
);

const erase = forListenerId(
  "/erase",
  "Erase everything held about a listener, everywhere, for their erasure request",
  Erasure,
  "What was removed",
);

/** The listener routes' privacy answers, for an operator acting on a listener's request. */
export const supportApp = apiApp<AppEnv>()
  .openapi(lookup, async (c) => {
    const { listenerId } = c.req.valid("json");
    const consent = await privacyAnswers.consent(c.env, await listenerPseudonym(c.env, listenerId));
    return c.json({ listenerId, consent }, 200);
  })
  .openapi(consent, async (c) => {
    const { listenerId, ...change } = c.req.valid("json");
    return c.json(await privacyAnswers.changeConsent(c.env, await listenerPseudonym(c.env, listenerId), change), 200);
  })
  .openapi(exportFor, async (c) => {
    const { listenerId } = c.req.valid("json");
    return c.json(await privacyAnswers.export(c.env, listenerId, await listenerPseudonym(c.env, listenerId)), 200);
  })
  .openapi(erase, async (c) => {
    const { listenerId } = c.req.valid("json");
    return c.json(await privacyAnswers.erase(c.env, listenerId, await listenerPseudonym(c.env, listenerId)), 200);
  });
