import { parseDecimal, parseInteger, parseLines, tabSeparatedParser, type LineParser, type ParseResult } from "./rows";

/** One row of the generic interaction TSV: `listener<TAB>item<TAB>weight[<TAB>timestamp]`. */
export interface InteractionRow {
  listener: string;
  item: string;
  /** Signed evidence: play count or any positive strength; negative for rejection. */
  weight: number;
  /** Epoch milliseconds, when the file has a fourth column. */
  timestamp?: number;
}

/**
 * Timestamps may be epoch seconds, epoch milliseconds (told apart by size: seconds stay below 1e11 until
 * the year 5138) or ISO 8601 text; all become epoch milliseconds.
 */
export function parseTimestamp(text: string): number | undefined {
  const integer = parseInteger(text);
  if (integer !== undefined) return integer < 1e11 ? integer * 1000 : integer;
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
}

function parseInteractionFields(fields: string[]): InteractionRow | string {
  if (fields.length !== 3 && fields.length !== 4) return `expected 3 or 4 tab-separated fields, found ${fields.length}`;
  const [listener, item, weightText, timestampText] = fields.map((f) => f.trim());
  if (!listener) return "listener is empty";
  if (!item) return "item is empty";
  const weight = parseDecimal(weightText);
  if (weight === undefined) return `weight is not a number: ${JSON.stringify(weightText)}`;
  if (timestampText === undefined || timestampText === "") return { listener, item, weight };
  const timestamp = parseTimestamp(timestampText);
  return timestamp === undefined
    ? `timestamp is neither epoch time nor ISO 8601: ${JSON.stringify(timestampText)}`
    : { listener, item, weight, timestamp };
}

/** The first line is a header when its weight column is not a number. */
export function interactionTsvParser(): LineParser<InteractionRow> {
  return tabSeparatedParser({
    isHeader: (fields) => fields.length >= 3 && parseDecimal(fields[2]) === undefined,
    parseFields: parseInteractionFields,
  });
}

export const parseInteractionTsv = (text: string): ParseResult<InteractionRow> =>
  parseLines(text, interactionTsvParser());
