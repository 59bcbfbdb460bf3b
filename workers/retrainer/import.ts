import { asc, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { z } from "zod";
import { fieldErrors, type FieldError } from "../../shared/api/problem";
import { InteractionInput, TrackInput, type SyntheticListeningRequest } from "../../shared/api/schemas";
import { bulkInsertStatements, literalInsertStatements, runInBatches } from "../../shared/db/bulk";
import { listenerRow, trackRow } from "../../shared/db/rows";
import { eventRollups, events, listeners, tracks } from "../../shared/db/schema";
import { SPREAD_MS, syntheticEventRange } from "../../shared/import/synthetic-listening";
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
    literalInsertStatements(
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

/** Catalog tracks a synthetic run plays when the request names no number. */
const DEFAULT_SYNTHETIC_ITEMS = 10_000;

export interface SyntheticListeningResult {
  /** Event rows new in D1 (a part written before adds none). */
  written: number;
  /** Listener rows new in D1. */
  newListeners: number;
  /** What the run uses: to be sent again with every other part of it. */
  items: number;
  endAt: number;
}

/**
 * Writes a part of a synthetic listening run as raw events, the rows the consumer stores for live plays
 * (listener "synthetic-<seed>-<n>", pseudonymised here as the edge does; event id "synthetic-<seed>-<n>"),
 * inserted with OR IGNORE, so writing a part again changes nothing. A backfill of history, not live
 * traffic: like the other imports it adds nothing to the KPI rollups, and nothing to the event lake.
 * When the catalog has fewer tracks than `items`, answers how many it has and writes nothing.
 */
export async function importSyntheticListening(
  env: Env,
  request: z.output<typeof SyntheticListeningRequest>,
): Promise<SyntheticListeningResult | { catalogTracks: number }> {
  const endAt = request.endAt ?? Date.now();
  const wanted = request.items ?? DEFAULT_SYNTHETIC_ITEMS;
  const trackIds = (
    await drizzle(env.DB).select({ id: tracks.id }).from(tracks).orderBy(asc(tracks.id)).limit(wanted)
  ).map((t) => t.id);
  if (trackIds.length < (request.items ?? 1)) return { catalogTracks: trackIds.length };
  const size = { events: request.events, listeners: request.listeners, items: trackIds.length, seed: request.seed };
  const part = syntheticEventRange(size, request.from, request.count);
  const pseudonyms = new Map<number, string>();
  for (const e of part) {
    if (!pseudonyms.has(e.listener))
      pseudonyms.set(e.listener, await pseudonymize(env.LISTENER_ID_KEY, `synthetic-${request.seed}-${e.listener}`));
  }
  const rows = part.map((e) => {
    const at = endAt - e.ageMs;
    return {
      ...{ listenerId: pseudonyms.get(e.listener)!, eventId: `synthetic-${request.seed}-${e.n}` },
      ...{ trackId: trackIds[e.item]!, type: "play", target: null, msPlayed: null, positionMs: null },
      ...{ device: null, context: null, clientTs: at, receivedAt: at, listEnd: false },
    } satisfies typeof events.$inferInsert;
  });
  const newListeners = await runInBatches(
    env.DB,
    bulkInsertStatements(
      env.DB,
      listeners,
      [...pseudonyms.values()].map((id) => listenerRow(id, null, endAt - SPREAD_MS)),
      "ignore",
    ),
  );
  const written = await runInBatches(env.DB, literalInsertStatements(env.DB, events, rows, "ignore"));
  return { written, newListeners, items: trackIds.length, endAt };
}
