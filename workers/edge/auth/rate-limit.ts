import { problem, problemResponse } from "../../../shared/api/problem";
import type { Env } from "../env";

/**
 * The binding does not say when its window ends, so Retry-After is the whole period. These must
 * match `simple.period` of the `[[ratelimits]]` in wrangler.toml.
 */
export const RATE_LIMIT_PERIODS = {
  API_KEY_RATE_LIMIT: 10,
  LISTENER_RATE_LIMIT: 60,
  KEY_LOOKUP_RATE_LIMIT: 60,
} as const;

/** A request over its limit: what to say and when to come back. */
export interface OverLimit {
  detail: string;
  retryAfter: string;
}

/** Counts one request against `key`: null while under the limit, otherwise why it is refused. */
export async function overLimit(
  env: Env,
  limiter: keyof typeof RATE_LIMIT_PERIODS,
  key: string,
  counted: string,
): Promise<OverLimit | null> {
  const { success } = await env[limiter].limit({ key });
  if (success) return null;
  const period = RATE_LIMIT_PERIODS[limiter];
  return { detail: `Too many requests for this ${counted}; try again in ${period} s`, retryAfter: String(period) };
}

/** Counts one request against `key`: null while under the limit, otherwise the 429 to answer with. */
export async function rateLimit(
  env: Env,
  limiter: keyof typeof RATE_LIMIT_PERIODS,
  key: string,
  counted: string,
): Promise<Response | null> {
  const over = await overLimit(env, limiter, key, counted);
  return over && problemResponse(problem(429, over.detail), { "retry-after": over.retryAfter });
}
