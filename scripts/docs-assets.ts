/**
 * Copies the Swagger UI files the docs page loads from swagger-ui-dist into the edge's static assets
 * (workers/edge/assets, served under /docs/assets by the worker), so the page works offline, with no
 * CDN. `npm ci` runs it (prepare); the copies are not committed.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SWAGGER_UI_FILES } from "../workers/edge/docs";

const dist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const out = resolve(dirname(fileURLToPath(import.meta.url)), "../workers/edge/assets");
mkdirSync(out, { recursive: true });
for (const file of SWAGGER_UI_FILES) copyFileSync(`${dist}/${file}`, `${out}/${file}`);
