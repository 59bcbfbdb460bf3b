/**
 * Builds the operator dashboard (dashboard/) into the edge's static assets
 * (workers/edge/assets/dashboard, served by workers/edge/app.ts): the sign-in page, its styles and
 * script, and the application bundled with its chart library, so the page loads nothing from
 * outside. `npm ci` runs it (prepare) and so does `npm start`; the built files are not committed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { DASHBOARD_APP, DASHBOARD_SHELL } from "../workers/edge/dashboard";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = resolve(root, "dashboard");
const out = resolve(root, "workers/edge/assets/dashboard");

/**
 * Writes a built file only when its bytes changed: a running `wrangler dev` reloads when its assets
 * change, so a network started beside another (the process tests run several) must not touch them.
 */
function writeIfChanged(path: string, contents: Uint8Array): void {
  if (existsSync(path) && Buffer.from(readFileSync(path)).equals(Buffer.from(contents))) return;
  writeFileSync(path, contents);
}

export async function buildDashboard(): Promise<void> {
  mkdirSync(out, { recursive: true });
  writeIfChanged(`${out}/index.html`, readFileSync(`${source}/index.html`));
  writeIfChanged(`${out}/${DASHBOARD_SHELL[0]}`, readFileSync(`${source}/dashboard.css`));
  const common = {
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "eof",
    logLevel: "warning",
  } as const;
  for (const [entry, outfile] of [
    ["signin.ts", DASHBOARD_SHELL[1]],
    ["app.ts", DASHBOARD_APP],
  ] as const) {
    const built = await build({
      ...common,
      entryPoints: [`${source}/${entry}`],
      outfile: `${out}/${outfile}`,
      write: false,
    });
    for (const file of built.outputFiles) writeIfChanged(file.path, file.contents);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildDashboard();
