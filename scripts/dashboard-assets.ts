/**
 * Builds the operator dashboard (dashboard/) into the edge's static assets
 * (workers/edge/assets/dashboard, served by workers/edge/app.ts): the sign-in page, its styles and
 * script, and the application bundled with its chart library, so the page loads nothing from
 * outside. `npm ci` runs it (prepare) and so does `npm start`; the built files are not committed.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { DASHBOARD_APP, DASHBOARD_SHELL } from "../workers/edge/dashboard";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = resolve(root, "dashboard");
const out = resolve(root, "workers/edge/assets/dashboard");

export async function buildDashboard(): Promise<void> {
  mkdirSync(out, { recursive: true });
  copyFileSync(`${source}/index.html`, `${out}/index.html`);
  copyFileSync(`${source}/dashboard.css`, `${out}/${DASHBOARD_SHELL[0]}`);
  const common = {
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "eof",
    logLevel: "warning",
  } as const;
  await build({ ...common, entryPoints: [`${source}/signin.ts`], outfile: `${out}/${DASHBOARD_SHELL[1]}` });
  await build({ ...common, entryPoints: [`${source}/app.ts`], outfile: `${out}/${DASHBOARD_APP}` });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildDashboard();
