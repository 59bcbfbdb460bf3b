import { dayOf } from "../analytics/days";
import { toNdjson, type LakeRecord } from "./records";

/** Every lake object's key starts here; the day partition follows, Hive-style, so engines prune by day. */
export const LAKE_EVENTS_PREFIX = "events/";

/** `events/day=YYYY-MM-DD/<batch>.ndjson`: the UTC day the event was accepted, one object per consumer batch. */
export function lakeObjectKey(day: string, batch: string): string {
  return `${LAKE_EVENTS_PREFIX}day=${day}/${batch}.ndjson`;
}

const KEY_PATTERN = /^events\/day=\d{4}-\d{2}-\d{2}\/[A-Za-z0-9_-]{1,128}\.ndjson$/;

export function isLakeObjectKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** One object of a batch: its key, its NDJSON body, and the pseudonyms whose lines it holds (for erasure). */
export interface LakeObject {
  key: string;
  body: string;
  listeners: string[];
}

/**
 * A consumer batch's records as lake objects, one per day of arrival (a batch can straddle midnight). The
 * same batch always gives the same keys, so a redelivered one overwrites its objects instead of adding to them.
 */
export function batchObjects(records: readonly LakeRecord[], batch: string): LakeObject[] {
  const byDay = new Map<string, LakeRecord[]>();
  for (const r of records) {
    const day = dayOf(r.receivedAt);
    const rows = byDay.get(day);
    if (rows) rows.push(r);
    else byDay.set(day, [r]);
  }
  return [...byDay].map(([day, rows]) => ({
    key: lakeObjectKey(day, batch),
    body: toNdjson(rows),
    listeners: [...new Set(rows.map((r) => r.listener))],
  }));
}

/**
 * A batch's name from the ids of the queue messages in it: a redelivery of the same messages names the same
 * objects. (A redelivery mixed with other messages names new ones; readers drop its repeats by event id.)
 */
export async function batchName(messageIds: readonly string[]): Promise<string> {
  const bytes = new TextEncoder().encode([...messageIds].sort().join("\n"));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}
