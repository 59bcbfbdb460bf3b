import { z } from "zod";
import { apiApp, createRoute, errorResponses, json, jsonBody } from "../../../shared/api/openapi";
import { Consent, Erasure, ListenerExport } from "../../../shared/api/responses";
import { NoQuery } from "../../../shared/api/schemas";
import { forListener } from "../auth/require";
import type { AppEnv } from "../env";
import { privacyAnswers } from "../privacy";

/** A change of consent: either choice, or both. */
export const ConsentChange = { personalization: z.boolean().optional(), analytics: z.boolean().optional() };
const ConsentBody = z.strictObject(ConsentChange);

/** A listener's data is theirs alone: each route needs their token, presented through a client app. */
const ownData = { ...forListener("client"), tags: ["Privacy"] };
const refusals = errorResponses(400, 401, 403, 429, 503);

const getConsent = createRoute({
  method: "get",
  path: "/consent",
  summary: "What the listener agreed to",
  ...ownData,
  request: { query: NoQuery },
  responses: { 200: json(Consent, "The listener's consent"), ...refusals },
});

const putConsent = createRoute({
  method: "put",
  path: "/consent",
  summary: "Give or withdraw consent; withdrawing personalization stops storing listening",
  ...ownData,
  request: {
    query: NoQuery,
    body: jsonBody(ConsentBody, {
      noPersonalization: { summary: "Withdraw personalization", value: { personalization: false } },
    }),
  },
  responses: { 200: json(Consent, "The consent now in force"), ...refusals, ...errorResponses(413, 415) },
});

const getExport = createRoute({
  method: "get",
  path: "/export",
  summary: "A copy of everything held about the listener",
  ...ownData,
  request: { query: NoQuery },
  responses: { 200: json(ListenerExport, "The export, as an attachment"), ...refusals },
});

const eraseMe = createRoute({
  method: "delete",
  path: "/",
  summary: "Erase everything held about the listener, everywhere",
  ...ownData,
  request: { query: NoQuery },
  responses: { 200: json(Erasure, "What was removed"), ...refusals },
});

/** The listener's rights over their data: consent, a copy of everything, and erasure. */
export const privacyApp = apiApp<AppEnv>()
  .openapi(getConsent, async (c) => c.json(await privacyAnswers.consent(c.env, c.var.pseudonym), 200))
  .openapi(putConsent, async (c) =>
    c.json(await privacyAnswers.changeConsent(c.env, c.var.pseudonym, c.req.valid("json")), 200),
  )
  .openapi(getExport, async (c) => {
    // No listener id in a header: response headers reach logs and traces that bodies do not.
    c.header("content-disposition", 'attachment; filename="setlist-export.json"');
    return c.json(await privacyAnswers.export(c.env, c.var.listener, c.var.pseudonym), 200);
  })
  .openapi(eraseMe, async (c) => c.json(await privacyAnswers.erase(c.env, c.var.listener, c.var.pseudonym), 200));
