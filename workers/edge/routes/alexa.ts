import { Hono } from "hono";
import { AMAZON_ROOTS } from "../../../shared/alexa/amazon-roots";
import { cachedCertificates, createVerifier, type Verifier } from "../../../shared/alexa/verify";
import { problem, problemResponse } from "../../../shared/api/problem";
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

/**
 * POST /v1/speaker/alexa, the endpoint of the Setlist Alexa skill. Alexa sends no API key: the door
 * is Amazon's request signature (verified before anything in the body is believed; any broken rule
 * is a 400 naming it) and then the listener token the account linking put in the request.
 */
export function alexaRoute(verifier: Verifier) {
  return new Hono<AppEnv>().post("/", async (c) => {
    const skillId = c.env.ALEXA_SKILL_ID;
    if (!skillId) throw new Error("ALEXA_SKILL_ID is not configured");
    const verified = await verifier.verify(c.req.raw.headers, await c.req.text(), skillId);
    if ("rule" in verified) {
      return problemResponse(
        problem(400, verified.detail, {
          rule: verified.rule,
          errors: [{ path: verified.path, message: verified.detail }],
        }),
      );
    }
    const answer = await answerAlexa(c.env, verified.request, requestRegion(c.req.raw));
    return answer instanceof Response ? answer : c.json(answer);
  });
}

export const alexaApp = alexaRoute(
  createVerifier({ trustedRoots: Object.values(AMAZON_ROOTS), certificates: amazonCertificates }),
);
