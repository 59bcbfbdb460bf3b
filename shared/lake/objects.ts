import { and, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { bulkInsertStatements, runInBatches } from "../db/bulk";
import { erasureTimes } from "../db/queries";
import { lakeObjects } from "../db/schema";
import type { LakeObject } from "./partitions";
import { parseLakeRecords, withoutLines, type LakeRecord } from "./records";

/**
 * Lake objects an erasure rewrites in one invocation: a read and a write each, and D1 statements, well inside
 * the operations a Worker invocation may make. More are left to the `lake-erasure` message it sends on.
 */
export const LAKE_OBJECTS_PER_ERASURE_STEP = 100;
/** Objects an export reads at a time. */
const READS_AT_ONCE = 50;

/** Records which listener has lines in which object: before the objects are written, so none is missed. */
export async function indexLakeObjects(db: D1Database, objects: readonly LakeObject[]): Promise<void> {
  const rows = objects.flatMap((o) => o.listeners.map((listenerId) => ({ listenerId, objectKey: o.key })));
  await runInBatches(db, bulkInsertStatements(db, lakeObjects, rows, "ignore"));
}

/**
 * Rewrites an object without the lines `drop` picks (R2 objects are immutable: a new object under the same
 * key), deleting it if none is left. A missing object has nothing to remove.
 */
async function rewriteObject(
  bucket: R2Bucket,
  key: string,
  drop: (line: { listener: unknown; receivedAt: unknown }) => boolean,
): Promise<string> {
  const object = await bucket.get(key);
  if (!object) return "";
  const { text, dropped } = withoutLines(await object.text(), drop);
  if (dropped === 0) return text;
  if (text) await bucket.put(key, text, { httpMetadata: object.httpMetadata });
  else await bucket.delete(key);
  return text;
}

/**
 * One bounded step of erasing a listener from the lake: the objects their index rows name, up to
 * LAKE_OBJECTS_PER_ERASURE_STEP, rewritten without their lines, and those rows deleted. `more` says whether
 * rows are left for another step.
 */
export async function eraseFromLake(
  bucket: R2Bucket,
  db: D1Database,
  listener: string,
  limit = LAKE_OBJECTS_PER_ERASURE_STEP,
): Promise<{ rewritten: number; more: boolean }> {
  const d = drizzle(db);
  const rows = await d
    .select({ key: lakeObjects.objectKey })
    .from(lakeObjects)
    .where(eq(lakeObjects.listenerId, listener))
    .limit(limit + 1);
  const step = rows.slice(0, limit).map((r) => r.key);
  for (const key of step) await rewriteObject(bucket, key, (line) => line.listener === listener);
  for (let i = 0; i < step.length; i += 90) {
    await d
      .delete(lakeObjects)
      .where(and(eq(lakeObjects.listenerId, listener), inArray(lakeObjects.objectKey, step.slice(i, i + 90))));
  }
  return { rewritten: step.length, more: rows.length > limit };
}

/**
 * After a batch's objects are written: lines of listeners erased meanwhile (sent before their erasure, the
 * consumer's rule) are taken out again, with their index rows, so a write that raced an erasure cannot
 * bring them back.
 */
export async function dropErasedLines(bucket: R2Bucket, db: D1Database, objects: readonly LakeObject[]) {
  const listeners = [...new Set(objects.flatMap((o) => o.listeners))];
  const erasedAt = await erasureTimes(db, listeners);
  for (const object of objects.filter((o) => o.listeners.some((l) => erasedAt.has(l)))) {
    const left = await rewriteObject(bucket, object.key, ({ listener, receivedAt }) => {
      const at = typeof listener === "string" ? erasedAt.get(listener) : undefined;
      return at !== undefined && typeof receivedAt === "number" && receivedAt <= at;
    });
    // Lines sent after an erasure are a new start, kept with their index row; the others' rows go.
    const remaining = new Set(parseLakeRecords([left]).map((r) => r.listener));
    const gone = object.listeners.filter((l) => erasedAt.has(l) && !remaining.has(l));
    if (gone.length > 0) {
      await drizzle(db)
        .delete(lakeObjects)
        .where(and(eq(lakeObjects.objectKey, object.key), inArray(lakeObjects.listenerId, gone)));
    }
  }
}

/** Every lake record of a listener, by the objects the index names for them, oldest first. */
export async function lakeRecordsOf(bucket: R2Bucket, db: D1Database, listener: string): Promise<LakeRecord[]> {
  const rows = await drizzle(db)
    .select({ key: lakeObjects.objectKey })
    .from(lakeObjects)
    .where(eq(lakeObjects.listenerId, listener));
  const texts: string[] = [];
  for (let i = 0; i < rows.length; i += READS_AT_ONCE) {
    const objects = await Promise.all(rows.slice(i, i + READS_AT_ONCE).map((r) => bucket.get(r.key)));
    for (const object of objects) if (object) texts.push(await object.text());
  }
  return parseLakeRecords(texts)
    .filter((r) => r.listener === listener)
    .sort((a, b) => a.clientTs - b.clientTs || a.eventId.localeCompare(b.eventId));
}
