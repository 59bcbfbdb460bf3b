import type { Env } from "../env";
import { getVersion, markFailed, type VersionRow } from "../versions";
import { cleanUpRun } from "./clean-up";

/** A retrain as an operator sees it: the Workflow instance's status (or `stuck`), its step and its error. */
export interface RunReport {
  status: InstanceStatus["status"] | "stuck";
  step: string | null;
  error: string | null;
}

/** A building version whose current step began longer ago than RETRAIN_STUCK_AFTER_MS. */
export function isStuck(env: Env, row: VersionRow, now = Date.now()): boolean {
  return row.status === "building" && now - (row.progressAt ?? row.createdAt) > Number(env.RETRAIN_STUCK_AFTER_MS);
}

async function instanceStatus(env: Env, version: string): Promise<InstanceStatus | null> {
  // Versions built before retrains were Workflows have no instance.
  const instance = await env.RETRAIN.get(version).catch(() => null);
  return instance ? instance.status() : null;
}

/**
 * A version with its run's report. A run that ended without its version leaving `building` (terminated from
 * outside, or its failure step failed too) marks the version failed here, so none stays building for ever.
 */
export async function versionWithRun(env: Env, version: string, now = Date.now()) {
  let row = await getVersion(env, version);
  if (!row) return undefined;
  const instance = await instanceStatus(env, version);
  if (row.status === "building" && (instance?.status === "errored" || instance?.status === "terminated")) {
    await markFailed(env, version, instance.error?.message ?? `its retrain Workflow was ${instance.status}`);
    row = (await getVersion(env, version))!;
  }
  const run: RunReport | null = instance && {
    status: isStuck(env, row, now) ? "stuck" : instance.status,
    step: row.step,
    error: instance.error?.message ?? row.failure,
  };
  return { ...row, run };
}

export type CancelResult = { ok: true } | { ok: false; status: 404 | 409; detail: string };

/** Stops a version's run (a stuck one, most likely), marks it failed and deletes what it kept in R2. */
export async function cancelRetrain(env: Env, version: string, operator: string): Promise<CancelResult> {
  const row = await getVersion(env, version);
  if (!row) return { ok: false, status: 404, detail: `No model version ${version}` };
  if (row.status !== "building")
    return { ok: false, status: 409, detail: `Version ${version} is ${row.status}, not building` };
  const instance = await env.RETRAIN.get(version).catch(() => null);
  // An instance that already ended cannot be terminated; the version is failed all the same.
  await instance?.terminate().catch(() => undefined);
  await markFailed(env, version, `cancelled by operator ${operator} at step "${row.step ?? "none"}"`);
  await cleanUpRun(env, version);
  return { ok: true };
}
