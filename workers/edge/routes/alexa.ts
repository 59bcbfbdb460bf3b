import { z } from "zod";
import { createMiddleware } from "hono/factory";
import { AMAZON_ROOTS } from "../../../shared/alexa/amazon-roots";
import { AlexaRequest } from "../../../shared/alexa/request";
import { cachedCertificates, createVerifier, type Verifier } from "../../../shared/alexa/verify";
import { apiApp, createRoute, errorResponses, json, jsonBody, problemJson } from "../../../shared/api/openapi";
import { NoQuery } from "../../../shared/api/schemas";
import { AlexaResponse } from "../../../shared/api/responses";
import { answerAlexa } from "../alexa";
import type { AppEnv } from "../env";
import { requestRegion } from "../ingest";

/** Amazon's chains are a few KB; a bigger answer is not one. */
const MAX_CHAIN_BYTES = 64 * 1024;

/** Amazon's certificate chains from the network, fetched once per URL in each isolate. */
const amazonCertificates = cachedCertificates({
  async chain(url) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_CHAIN_BYTES) throw new Error(`${url} is larger than ${MAX_CHAIN_BYTES} bytes`);
    return text;
  },
});

const SignatureHeaders = z.object({
  signaturecertchainurl: z.string().optional().meta({
    description: "Where Amazon's signing certificate chain is",
    example: "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem",
  }),
  "signature-256": z.string().optional().meta({ description: "Base64 RSA SHA-256 signature of the raw body" }),
});

const LAUNCH_EXAMPLE = {
  version: "1.0",
  context: {
    System: {
      application: { applicationId: "amzn1.ask.skill.setlist-dev" },
      user: { accessToken: "<the listener token of the linked account>" },
    },
  },
  request: {
    type: "LaunchRequest",
    requestId: "amzn1.echo-api.request.0000",
    timestamp: "2026-12-01T20:00:00Z",
    locale: "en-US",
  },
};

/**
 * The request must be Amazon's: verified over the raw body before anything in it is believed (the
 * body is read as text here, which Hono keeps for the validation that follows). Any broken rule is
 * a 400 naming it.
 */
function signedByAmazon(verifier: Verifier) {
  return createMiddleware<AppEnv & { Variables: { alexa: AlexaRequest } }>(async (c, next) => {
    const skillId = c.env.ALEXA_SKILL_ID;
    if (!skillId) throw new Error("ALEXA_SKILL_ID is not configured");
    const verified = await verifier.verify(c.req.raw.headers, await c.req.text(), skillId);
    if ("rule" in verified)
      return problemJson(c, 400, verified.detail, {
        rule: verified.rule,
        errors: [{ path: verified.path, message: verified.detail }],
      });
    c.set("alexa", verified.request);
    await next();
  });
}

/**
 * POST /v1/speaker/alexa, the endpoint of the Setlist Alexa skill. Alexa sends no API key: the door
 * is Amazon's request signature and then the listener token the account linking put in the request.
 */
export function alexaRoute(verifier: Verifier) {
  const route = createRoute({
    method: "post",
    path: "/",
    tags: ["Speakers"],
    summary: "The Alexa skill's endpoint (custom skill with the AudioPlayer interface)",
    description:
      "Called by Alexa, not by apps: no API key; the request must carry Amazon's signature (SignatureCertChainUrl and Signature-256 over the raw body, timestamp within 150 s, the skill's application id), and the listener is the linked account's access token, a listener token. See the README's Alexa section.",
    security: [],
    middleware: [signedByAmazon(verifier)] as const,
    request: {
      headers: SignatureHeaders,
      query: NoQuery,
      body: jsonBody(AlexaRequest, { launch: { summary: "Alexa, open Setlist", value: LAUNCH_EXAMPLE } }),
    },
    responses: {
      200: json(AlexaResponse, "The skill's answer: speech and AudioPlayer directives as Alexa allows them"),
      ...errorResponses(400, 413, 415, 429),
    },
  });
  return apiApp<AppEnv & { Variables: { alexa: AlexaRequest } }>().openapi(route, async (c) => {
    const answer = await answerAlexa(c.env, c.var.alexa, requestRegion(c.req.raw));
    if ("limited" in answer)
      return problemJson(c, 429, answer.limited.detail, {}, { "retry-after": answer.limited.retryAfter });
    return c.json(answer, 200);
  });
}

export const alexaApp = alexaRoute(
  createVerifier({ trustedRoots: Object.values(AMAZON_ROOTS), certificates: amazonCertificates }),
);
