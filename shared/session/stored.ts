import { createSession, type SessionState } from "./state";

/**
 * The layout version of the SessionState a session object stores. Raise it whenever SessionState
 * changes shape, and add the step from the previous version to MIGRATIONS.
 */
export const SESSION_SCHEMA_VERSION = 1;

/**
 * One step per older version, to the next. Version 0 is what objects stored before the version was
 * recorded: the same shape as version 1.
 */
const MIGRATIONS: Record<number, (state: unknown) => unknown> = {
  0: (state) => state,
};

/**
 * The rule for stored state: the current version is read as is; an older one is migrated step by step;
 * any other (a newer deployment's, read after a rollback, or one with no step) resets the live session.
 * A reset loses only the adaptation within the current session: the state is a bounded cache of recent
 * listening whose history is in D1. Consent is stored apart from the state and is never reset by this.
 */
export function readStoredSession(version: number, json: string): { state: SessionState; reset: boolean } {
  let state: unknown = JSON.parse(json);
  for (let v = version; v < SESSION_SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) return { state: createSession(), reset: true };
    state = step(state);
  }
  if (version > SESSION_SCHEMA_VERSION || !Number.isInteger(version)) return { state: createSession(), reset: true };
  return { state: state as SessionState, reset: false };
}
