/** A line the parser could not turn into a row, with a reason a person can act on. Lines count from 1. */
export interface RejectedRow {
  line: number;
  reason: string;
}

export interface ParseResult<T> {
  rows: T[];
  rejected: RejectedRow[];
}

/** Turns the fields of one line into a row, or returns why not. */
export type FieldParser<T> = (fields: string[]) => T | string;

export interface TabSeparatedSpec<T> {
  /** Whether the first line is a header (then skipped); later lines are always data. */
  isHeader: (fields: string[]) => boolean;
  parseFields: FieldParser<T>;
}

/** Header test for files with a fixed header, compared case-insensitively. */
export function headerIs(...names: string[]): (fields: string[]) => boolean {
  const expected = names.join("\t").toLowerCase();
  return (fields) =>
    fields
      .map((f) => f.trim())
      .join("\t")
      .toLowerCase() === expected;
}

/** Line-at-a-time parser, so a stream can be fed without holding the whole file. */
export interface LineParser<T> {
  line(text: string): void;
  result(): ParseResult<T>;
}

export function tabSeparatedParser<T>(spec: TabSeparatedSpec<T>): LineParser<T> {
  const rows: T[] = [];
  const rejected: RejectedRow[] = [];
  let lineNumber = 0;
  return {
    line(text) {
      lineNumber++;
      const line = text.endsWith("\r") ? text.slice(0, -1) : text;
      if (line.trim() === "") return;
      const fields = line.split("\t");
      if (lineNumber === 1 && spec.isHeader(fields)) return;
      const parsed = spec.parseFields(fields);
      if (typeof parsed === "string") rejected.push({ line: lineNumber, reason: parsed });
      else rows.push(parsed);
    },
    result: () => ({ rows, rejected }),
  };
}

export function parseLines<T>(text: string, parser: LineParser<T>): ParseResult<T> {
  const lines = text.split("\n");
  // A final newline ends the last line rather than starting an empty one.
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) parser.line(line);
  return parser.result();
}

export function parseInteger(text: string | undefined): number | undefined {
  return text !== undefined && /^\s*-?\d+\s*$/.test(text) ? Number(text) : undefined;
}

export function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Checks the field count before a row parser reads fields by position. */
export function expectFields(fields: string[], count: number): string | undefined {
  return fields.length === count ? undefined : `expected ${count} tab-separated fields, found ${fields.length}`;
}
