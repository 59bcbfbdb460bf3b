/**
 * `npm run keys -- <command>`: API keys for the apps that call Setlist, stored hashed in D1.
 *
 *   npm run keys -- create --role client --name my-app [--remote]   prints the new key once
 *   npm run keys -- revoke --name my-app [--remote]                 revokes every active key of that name
 *   npm run keys -- list [--remote]
 *
 * Without --remote it works on the local database of `npm start` (--persist-to, default .wrangler/state,
 * as for `npm start`).
 * Edge isolates cache what they read about a key for a minute, so a revocation takes up to that long.
 */
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { hashApiKey, KeyName, NewKeyRequest, newApiKey, type Role } from "../shared/auth/api-key";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where `npm start` and these commands keep the local D1, KV and queues unless told otherwise. */
export const DEFAULT_PERSIST_TO = resolve(root, ".wrangler/state");

const USAGE =
  "usage: npm run keys -- create --role client|speaker|operator --name NAME [--remote | --persist-to DIR]\n" +
  "       npm run keys -- revoke --name NAME [--remote | --persist-to DIR]\n" +
  "       npm run keys -- list [--remote | --persist-to DIR]\n" +
  "Without --remote: the local database of `npm start` (default --persist-to .wrangler/state).";

/** Where the D1 commands go: the deployed database, or a local one as `npm start` keeps it. */
export type Database = { remote: true } | { persistTo: string };

export interface NewKey {
  key: string;
  role: Role;
  name: string;
}

/**
 * `count` keys of `role` for a load generator (named `<name> <role> <n>`): an app's key is limited to 1,000
 * requests per 10 s (API_KEY_RATE_LIMIT in wrangler.toml), so a load is spread over enough keys to stay below.
 */
export function loadKeys(name: string, role: Role, count: number): NewKey[] {
  return Array.from({ length: count }, (_, n) => ({
    key: `${name}-${role}-key-${n}`,
    role,
    name: `${name} ${role} ${n}`,
  }));
}

/** Runs SQL with `wrangler d1 execute` and returns wrangler's JSON result. */
export function executeSql(db: Database, sql: string): { results: Record<string, unknown>[] }[] {
  const target = "remote" in db ? ["--remote"] : ["--local", "--persist-to", db.persistTo];
  const run = spawnSync(
    resolve(root, "node_modules/.bin/wrangler"),
    ["d1", "execute", "DB", ...target, "--json", "--yes", "-c", "wrangler.toml", "--command", sql],
    { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, encoding: "utf8" },
  );
  if (run.status !== 0) {
    if ("persistTo" in db && run.stdout.includes("no such table")) {
      throw new Error(
        `There is no local database in ${db.persistTo} yet: run npm start first ` +
          "(or pass the --persist-to folder that npm start was given).",
      );
    }
    throw new Error(`wrangler d1 execute failed:\n${run.stdout}\n${run.stderr}`);
  }
  return JSON.parse(run.stdout) as { results: Record<string, unknown>[] }[];
}

/** Names and roles are checked before they go into SQL; quoting is the second line of defence. */
function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Stores keys by their hash; a key already stored is left as it is (so a revoked one stays revoked). */
export async function storeKeys(db: Database, keys: readonly NewKey[], now = Date.now()): Promise<void> {
  const rows = await Promise.all(
    keys.map(async ({ key, role, name }) => {
      const checked = NewKeyRequest.safeParse({ role, name });
      if (!checked.success) {
        throw new Error(checked.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; "));
      }
      return `(${sqlText(await hashApiKey(key))}, ${sqlText(name)}, ${sqlText(role)}, ${now})`;
    }),
  );
  executeSql(db, `INSERT OR IGNORE INTO api_keys (hash, name, role, created_at) VALUES ${rows.join(", ")}`);
}

/** The command line, or undefined when it is not one of the commands above. */
export function parseCommand(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        role: { type: "string" },
        name: { type: "string" },
        remote: { type: "boolean", default: false },
        "persist-to": { type: "string", default: DEFAULT_PERSIST_TO },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch {
    return undefined;
  }
}

async function main() {
  const parsed = parseCommand(process.argv.slice(2));
  if (parsed?.values.help) {
    console.log(USAGE);
    return;
  }
  if (!parsed) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const { values, positionals } = parsed;
  const db: Database = values.remote ? { remote: true } : { persistTo: values["persist-to"] };
  const [command] = positionals;

  if (command === "create" && values.role && values.name) {
    const role = values.role as Role;
    const key = newApiKey(role);
    await storeKeys(db, [{ key, role, name: values.name }]);
    console.log(key);
    console.error(`Created a ${role} key named "${values.name}". It is stored only as a hash: keep it now.`);
  } else if (command === "revoke" && values.name) {
    if (!KeyName.safeParse(values.name).success) throw new Error("no such name");
    const [result] = executeSql(
      db,
      `UPDATE api_keys SET revoked_at = ${Date.now()} WHERE name = ${sqlText(values.name)} AND revoked_at IS NULL RETURNING hash`,
    );
    console.log(`Revoked ${result?.results.length ?? 0} key(s) named "${values.name}".`);
  } else if (command === "list") {
    const [result] = executeSql(
      db,
      "SELECT name, role, substr(hash, 1, 12) AS hash, created_at, revoked_at FROM api_keys ORDER BY created_at",
    );
    for (const row of result?.results ?? []) {
      const revoked = row.revoked_at ? `revoked ${new Date(Number(row.revoked_at)).toISOString()}` : "active";
      console.log(`${String(row.role).padEnd(9)} ${String(row.name).padEnd(24)} ${row.hash}…  ${revoked}`);
    }
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main().catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
