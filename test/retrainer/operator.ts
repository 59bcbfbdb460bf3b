import { exports } from "cloudflare:workers";
import { storeApiKey } from "../api-keys";

export const OPERATOR_KEY = "test-retrainer-operator-key";
// Each test file starts with an empty D1 of its own.
await storeApiKey(OPERATOR_KEY, "operator");

/** An operator route of the retraining worker, called directly with an operator's key as the edge forwards it. */
export function admin(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("x-api-key", OPERATOR_KEY);
  return exports.default.fetch(`http://retrainer/admin${path}`, { ...init, headers });
}
