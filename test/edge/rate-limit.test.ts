import { describe, expect, it } from "vitest";
import { RATE_LIMIT_PERIODS } from "../../workers/edge/auth/rate-limit";
import { edge, expectProblem, storeApiKey, tokenFor } from "./helpers";

/** The budgets the `edge-limits` test project gives the `[[ratelimits]]` bindings (vitest.config.ts). */
const PER_KEY = 100;
const PER_LISTENER = 30;
const PER_ADDRESS = 200;

/** Fresh keys and listeners for every run: the local limiter keeps its counters on disk between runs. */
const unique = (name: string) => `${name}-${crypto.randomUUID()}`;

async function newKey(): Promise<string> {
  const key = unique("rate-limit-key");
  await storeApiKey(key, "client");
  return key;
}

/** A client address of its own for each run, for the same reason. */
const uniqueAddress = () => `10.${Array.from(crypto.getRandomValues(new Uint8Array(3))).join(".")}`;

/**
 * Sends `request` in concurrent batches until one is refused with 429, and returns that answer with
 * the number of requests let through (answered `passing`). Windows are fixed, so one may roll over
 * mid-run and let up to twice the limit through, never fewer than it; batches keep the run well
 * inside a window under load.
 */
async function untilLimited(limit: number, request: () => Promise<Response>, passing = 400, concurrency = 25) {
  let passed = 0;
  while (passed <= 2 * limit) {
    const answers = await Promise.all(Array.from({ length: concurrency }, request));
    const limited = answers.find((res) => res.status === 429);
    for (const res of answers) {
      // Each request is counted, then refused by validation (or as unknown): cheap, and it stores nothing.
      if (res !== limited && res.status !== 429) expect(res.status).toBe(passing);
      if (res.status === passing) passed++;
    }
    if (limited) return { passed, res: limited };
  }
  throw new Error(`no 429 after ${passed} requests`);
}

async function expectTooManyRequests(res: Response, period: number) {
  expect(res.headers.get("retry-after")).toBe(String(period));
  await expectProblem(res, 429);
}

describe("rate limits", () => {
  it("per API key: 429 with Retry-After once the key's budget is spent; other keys are unaffected", async () => {
    const key = await newKey();
    const { passed, res } = await untilLimited(PER_KEY, () =>
      edge("/v1/tracks/bad%20id", { headers: { "x-api-key": key } }),
    );
    expect(passed).toBeGreaterThanOrEqual(PER_KEY);
    await expectTooManyRequests(res, RATE_LIMIT_PERIODS.API_KEY_RATE_LIMIT);

    expect((await edge("/v1/tracks/bad%20id", { headers: { "x-api-key": await newKey() } })).status).toBe(400);
  });

  it("per listener: 429 with Retry-After whichever app asks; other listeners are unaffected", async () => {
    const listener = unique("rl");
    const path = (id: string) => `/v1/me/recommendations?limit=0`;
    const headers = { "x-api-key": await newKey(), authorization: `Bearer ${await tokenFor(listener)}` };
    const { passed, res } = await untilLimited(PER_LISTENER, () => edge(path(listener), { headers }));
    expect(passed).toBeGreaterThanOrEqual(PER_LISTENER);
    await expectTooManyRequests(res, RATE_LIMIT_PERIODS.LISTENER_RATE_LIMIT);

    const otherApp = { ...headers, "x-api-key": await newKey() };
    await expectTooManyRequests(
      await edge(path(listener), { headers: otherApp }),
      RATE_LIMIT_PERIODS.LISTENER_RATE_LIMIT,
    );
    const other = unique("rl");
    const otherListener = { ...headers, authorization: `Bearer ${await tokenFor(other)}` };
    expect((await edge(path(other), { headers: otherListener })).status).toBe(400);
  });

  it("per client address, for keys not yet verified: a spray of unknown keys gets 429 with Retry-After; verified keys and other addresses are unaffected", async () => {
    const address = uniqueAddress();
    const verified = await newKey();
    expect((await edge("/v1/tracks/bad%20id", { headers: { "x-api-key": verified } })).status).toBe(400);

    const sprayed = (from: string) =>
      edge("/v1/tracks/bad%20id", { headers: { "x-api-key": unique("made-up"), "cf-connecting-ip": from } });
    const { passed, res } = await untilLimited(PER_ADDRESS, () => sprayed(address), 401);
    console.log(`unknown keys from one address: ${passed} answered 401, then 429`);
    expect(passed).toBeGreaterThanOrEqual(PER_ADDRESS);
    await expectTooManyRequests(res, RATE_LIMIT_PERIODS.KEY_LOOKUP_RATE_LIMIT);
    expect((await expectProblem(await sprayed(address), 429)).detail).toMatch(/address/);

    const fromSprayer = { "x-api-key": verified, "cf-connecting-ip": address };
    expect((await edge("/v1/tracks/bad%20id", { headers: fromSprayer })).status).toBe(400);
    await expectProblem(await sprayed(uniqueAddress()), 401);
  });
});
