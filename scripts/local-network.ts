import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface LocalNetwork {
  base: string;
  /** The process group of the network's processes (wrangler, workerd). */
  processGroup: number;
  /** Its local storage, for wrangler commands against the same D1. */
  persistTo: string;
  /** What the network has printed so far (the workers' logs among it). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `npm start`'s network on its own port and storage, for scripts that drive it from outside;
 * `seed: false` leaves D1 empty for an import.
 */
export async function startLocalNetwork(port: number, { seed = true } = {}): Promise<LocalNetwork> {
  const persistTo = mkdtempSync(join(tmpdir(), "setlist-"));
  const child: ChildProcess = spawn(
    resolve(root, "node_modules/.bin/tsx"),
    [
      resolve(root, "scripts/start.ts"),
      ...["--port", String(port), "--persist-to", persistTo],
      ...(seed ? [] : ["--no-seed"]),
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"], detached: true },
  );
  const stop = async () => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    rmSync(persistTo, { recursive: true, force: true });
  };
  let output = "";
  await new Promise<void>((ready, fail) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("[setlist] ready")) ready();
      if (output.includes("[setlist] start-up failed")) fail(new Error(output.slice(-2000)));
    });
    child.on("exit", (code) => fail(new Error(`start script exited with ${code}`)));
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { base: `http://127.0.0.1:${port}`, processGroup: child.pid!, persistTo, output: () => output, stop };
}
