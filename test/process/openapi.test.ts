/**
 * The OpenAPI document and the docs page as a real `wrangler dev` serves them: the document is valid
 * OpenAPI 3.1 by a schema validator (one that needs Node, so it runs here rather than in workerd),
 * and the docs page loads every file it names from the worker itself, under a CSP that allows them.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { expect, it } from "vitest";
import { startLocalNetwork, type LocalNetwork } from "../../scripts/local-network";
import { testStorage } from "./client";

const PORT = 8827;
let network: LocalNetwork | undefined;
const persistTo = testStorage("openapi", () => network);

it("serves a valid OpenAPI 3.1 document and a docs page that needs nothing from outside", async () => {
  network = await startLocalNetwork(PORT, { seed: false, persistTo });

  const res = await fetch(`${network.base}/openapi.json`);
  expect(res.status).toBe(200);
  const document = (await res.json()) as Record<string, unknown>;
  const validator = new Validator();
  const result = await validator.validate(document);
  expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe("3.1");
  expect(document.servers).toEqual([{ url: network.base }]);

  const page = await fetch(`${network.base}/docs`);
  expect(page.status).toBe(200);
  const html = await page.text();
  const csp = page.headers.get("content-security-policy")!;
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  // Every file the page loads is this origin's, and the worker serves it.
  const files = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  expect(files.length).toBeGreaterThanOrEqual(3);
  for (const file of files) {
    expect(file, "a file of this origin").toMatch(/^\/docs\/assets\//);
    const asset = await fetch(`${network.base}${file}`);
    expect(asset.status, file).toBe(200);
    expect((await asset.arrayBuffer()).byteLength, file).toBeGreaterThan(100);
  }
  const init = await (await fetch(`${network.base}/docs/assets/docs-init.js`)).text();
  expect(init).toContain('url: "/openapi.json"');

  // The API's own answers keep the strict policy.
  const api = await fetch(`${network.base}/health`);
  expect(api.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
});
