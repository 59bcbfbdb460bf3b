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
  /** What the network has printed so far, stdout and stderr (the runtime's request log and the workers' logs). */
  output(): string;
  /** Ends the network; its storage is deleted unless it was given (`persistTo`). */
  stop(): Promise<void>;
  /** A hard kill of every process of the network (SIGKILL to its process group), as a crash would. */
  kill(): Promise<void>;
}

export interface LocalNetworkOptions {
  /** false leaves D1 empty for an import. */
  seed?: boolean;
  /** Storage to start on (and keep), e.g. to restart a killed network on it; a new folder by default. */
  persistTo?: string;
  /** The runtime's DevTools port, for reading its isolates' heaps (see scripts/isolate-heap.ts). */
  inspectorPort?: number;
  /** true keeps wrangler's local trace store (as `npm start` does), for a test that scans what it recorded. */
  traces?: boolean;
  /** V8 flags for the runtime, such as the trace of collections scripts/gc-trace.ts reads. */
  v8Flags?: string;
}

/** Starts `npm start`'s network on its own port and storage, for scripts and tests that drive it from outside. */
export async function startLocalNetwork(
  port: number,
  { seed = true, persistTo: given, inspectorPort, traces = false, v8Flags }: LocalNetworkOptions = {},
): Promise<LocalNetwork> {
  const persistTo = given ?? mkdtempSync(join(tmpdir(), "setlist-"));
  const child: ChildProcess = spawn(
    resolve(root, "node_modules/.bin/tsx"),
    [
      resolve(root, "scripts/start.ts"),
      ...["--port", String(port), "--persist-to", persistTo],
      ...(seed ? [] : ["--no-seed"]),
      ...(inspectorPort ? ["--inspector-port", String(inspectorPort)] : []),
      ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []),
    ],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      // Wrangler's local trace collector records every invocation, its spans and logs in SQLite, on the one
      // thread the whole network runs on: a third of that thread's time under bench:ingest. Nobody reads
      // those traces from a network driven by a script or a test, unless it asks (`npm start` keeps them,
      // for developers).
      env: { ...process.env, X_LOCAL_OBSERVABILITY: String(traces) },
    },
  );
  const exited = new Promise((r) => child.once("exit", r));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, name);
    await exited;
  };
  const stop = async () => {
    await signal("SIGTERM");
    // The runtime's own processes end a moment after the script.
    await new Promise((r) => setTimeout(r, 500));
    if (!given) rmSync(persistTo, { recursive: true, force: true });
  };
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((ready, fail) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      // Only what came last is searched: a traced runtime prints tens of megabytes.
      const from = Math.max(0, output.length - 100);
      output += chunk.toString();
      const recent = output.slice(from);
      if (recent.includes("[setlist] ready")) ready();
      if (recent.includes("[setlist] start-up failed")) fail(new Error(output.slice(-2000)));
    });
    // What the script and wrangler printed last says why (a port taken, a migration refused).
    child.on("exit", (code) => fail(new Error(`start script exited with ${code}:\n${output.slice(-2000)}`)));
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  const kill = () => signal("SIGKILL");
  return { base: `http://127.0.0.1:${port}`, processGroup: child.pid!, persistTo, output: () => output, stop, kill };
}
