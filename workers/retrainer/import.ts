import { inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { z } from "zod";
import { fieldErrors, type FieldError } from "../../shared/api/problem";
import { InteractionInput, TrackInput } from "../../shared/api/schemas";
import { bulkInsertStatements, runInBatches } from "../../shared/db/bulk";
import { listenerRow, trackRow } from "../../shared/db/rows";
import { eventRollups, listeners, tracks } from "../../shared/db/schema";
import { pseudonymize } from "../../shared/identity";
import type { Env } from "./env";
import { accumulateRollups } from "./retention";

export interface ImportResult {
  accepted: number;
  rejected: { index: number; errors: FieldError[] }[];
}

function validateRows<S extends z.ZodType>(schema: S, rows: unknown[]) {
  const valid: { index: number; row: z.output<S> }[] = [];
  const rejected: ImportResult["rejected"] = [];
  rows.forEach((row, index) => {
    const parsed = schema.safeParse(row);
    if (parsed.success) valid.push({ index, row: parsed.data });
    else rejected.push({ index, errors: fieldErrors(parsed.error.issues) });
  });
  return { valid, rejected };
}

/** Catalog rows from an importer; a track already known is replaced by the newer description. */
export async function importTracks(env: Env, rows: unknown[]): Promise<ImportResult> {
  const { valid, rejected } = validateRows(TrackInput, rows);
  await runInBatches(
    env.DB,
    bulkInsertStatements(
      env.DB,
      tracks,
      valid.map((v) => trackRow(v.row)),
      "replace",
    ),
  );
  return { accepted: valid.length, rejected };
}

/**
 * Aggregated listening from public data sets (play counts per listener and item) lands in the same
 * per-(listener, track) rollups that retention writes, so the model reads it like any old history.
 * Listener ids are pseudonymised here exactly as the edge does for live events.
 */
export async function importInteractions(env: Env, rows: unknown[], now = Date.now()): Promise<ImportResult> {
  const { valid, rejected } = validateRows(InteractionInput, rows);
  const trackIds = [...new Set(valid.map((v) => v.row.trackId))];
  const known = new Set<string>();
  for (let i = 0; i < trackIds.length; i += 90) {
    const found = await drizzle(env.DB)
      .select({ id: tracks.id })
      .from(tracks)
      .where(inArray(tracks.id, trackIds.slice(i, i + 90)));
    for (const { id } of found) known.add(id);
  }
  const accepted = valid.filter((v) => {
    if (known.has(v.row.trackId)) return true;
    rejected.push({
      index: v.index,
      errors: [{ path: "trackId", message: `no track ${v.row.trackId}; import the catalog first` }],
    });
    return false;
  });
  const pseudonyms = new Map<string, string>();
  for (const { row } of accepted) {
    if (!pseudonyms.has(row.listener))
      pseudonyms.set(row.listener, await pseudonymize(env.LISTENER_ID_KEY, row.listener));
  }
  const d = drizzle(env.DB);
  const rollups = accepted.map(({ row }) => ({
    listenerId: pseudonyms.get(row.listener)!,
    trackId: row.trackId,
    plays: row.weight > 0 ? Math.max(1, Math.round(row.weight)) : 0,
    dislikes: row.weight < 0 ? 1 : 0,
    lastTs: row.timestamp ?? now,
  }));
  await runInBatches(
    env.DB,
    bulkInsertStatements(
      env.DB,
      listeners,
      [...pseudonyms.values()].map((id) => listenerRow(id, null, now)),
      "ignore",
    ),
  );
  // Nine columns a row: ten rows stay under D1's 100 bound parameters per statement.
  const upserts = [];
  for (let i = 0; i < rollups.length; i += 10) {
    upserts.push(
      d
        .insert(eventRollups)
        .values(rollups.slice(i, i + 10))
        .onConflictDoUpdate(accumulateRollups),
    );
  }
  for (let i = 0; i < upserts.length; i += 50) {
    const [first, ...rest] = upserts.slice(i, i + 50);
    await d.batch([first!, ...rest]);
  }
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: accepted.length, rejected };
}
