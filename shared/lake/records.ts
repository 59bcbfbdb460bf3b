import { z } from "zod";
import { QueuedEvent } from "../api/schemas";

/**
 * One line of the event lake: an accepted listening event as the consumer stored it in D1, by pseudonym
 * (the raw id never leaves the edge). `v` names this schema; a reader skips lines of a version it does not
 * know rather than guessing. It is the queued event without its queue `kind`, plus that version: every
 * field a trainer needs (who, what, which action, when, on what device, in what context, where).
 */
export const LAKE_RECORD_VERSION = 1;

export const LakeRecord = QueuedEvent.omit({ kind: true }).extend({ v: z.literal(LAKE_RECORD_VERSION) });
export type LakeRecord = z.output<typeof LakeRecord>;

export function lakeRecord({ kind: _, ...event }: QueuedEvent): LakeRecord {
  return { v: LAKE_RECORD_VERSION, ...event };
}

export function toNdjson(records: readonly LakeRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join("");
}

/**
 * The records of NDJSON lake files, each event once: a redelivered queue batch can be appended again in
 * another object, so events are told apart by (listener, event id), as D1 tells them apart. Lines that are
 * not records of this version are left out.
 */
export function parseLakeRecords(texts: Iterable<string>): LakeRecord[] {
  const seen = new Set<string>();
  const records: LakeRecord[] = [];
  for (const text of texts) {
    for (const line of text.split("\n")) {
      if (!line) continue;
      const parsed = LakeRecord.safeParse(safeJson(line));
      if (!parsed.success) continue;
      const id = `${parsed.data.listener}\u0000${parsed.data.eventId}`;
      if (seen.has(id)) continue;
      seen.add(id);
      records.push(parsed.data);
    }
  }
  return records;
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * An object's NDJSON text without the lines `drop` picks, the others byte for byte. Lines are judged by
 * their `listener` and `receivedAt` alone, so erasure also removes lines of a record version this code
 * does not know.
 */
export function withoutLines(
  text: string,
  drop: (line: { listener: unknown; receivedAt: unknown }) => boolean,
): { text: string; dropped: number } {
  const kept: string[] = [];
  let dropped = 0;
  for (const line of text.split("\n")) {
    if (!line) continue;
    const parsed = safeJson(line);
    const fields = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
    if (drop({ listener: fields.listener, receivedAt: fields.receivedAt })) dropped++;
    else kept.push(`${line}\n`);
  }
  return { text: kept.join(""), dropped };
}
