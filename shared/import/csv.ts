import type { RejectedRow } from "./rows";

/** One CSV record with the line it starts on (a quoted field may span several lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface CsvResult {
  records: CsvRecord[];
  rejected: RejectedRow[];
}

/** One record read at `pos`, or null when the text ends inside it and more may follow. */
interface Read {
  fields: string[];
  error?: string;
  /** Where the next record starts, and its line. */
  pos: number;
  line: number;
}

const endsField = (text: string, pos: number) =>
  pos >= text.length || text[pos] === "," || text[pos] === "\n" || (text[pos] === "\r" && text[pos + 1] === "\n");

/**
 * RFC 4180 records: fields separated by commas, records by CRLF or LF; a field in double quotes may hold
 * commas, line breaks and doubled quotes (""), which stand for one quote. A quote inside an unquoted field,
 * or text after a closing quote, rejects the record; an unterminated quote rejects the rest of the input.
 * Unless `final`, a record the text ends in is not read (null): the next chunk may continue it.
 */
function readRecord(text: string, start: number, startLine: number, final: boolean): Read | null {
  let pos = start;
  let line = startLine;
  const fields: string[] = [];
  let error: string | undefined;
  // A lone "\r" at the end may be half of a "\r\n" that the next chunk completes.
  const atEnd = (p: number) => p >= text.length || (!final && p === text.length - 1 && text[p] === "\r");
  for (;;) {
    let field = "";
    if (text[pos] === '"') {
      pos++;
      let closed = false;
      while (pos < text.length) {
        const ch = text[pos]!;
        if (ch === '"') {
          if (pos + 1 >= text.length && !final) return null;
          if (text[pos + 1] === '"') {
            field += '"';
            pos += 2;
            continue;
          }
          pos++;
          closed = true;
          break;
        }
        if (ch === "\n") line++;
        field += ch;
        pos++;
      }
      if (!closed) {
        if (!final) return null;
        return { fields, error: "unterminated quoted field", pos, line };
      }
      if (!endsField(text, pos)) error = "text after a closing quote";
    } else {
      const from = pos;
      while (!endsField(text, pos)) pos++;
      field = text.slice(from, pos);
      if (field.includes('"')) error ??= "quote inside an unquoted field";
    }
    // After a stray quote or trailing text, skip to the end of the field.
    while (error && !endsField(text, pos)) pos++;
    fields.push(field);
    if (atEnd(pos)) {
      if (!final) return null;
      return { fields, error, pos: text.length, line: line + 1 };
    }
    if (text[pos] === ",") {
      pos++;
      continue;
    }
    pos += text[pos] === "\r" ? 2 : 1;
    return { fields, error, pos, line: line + 1 };
  }
}

/**
 * A CSV read chunk by chunk (a file of any size, as it streams): `push` answers the records completed so
 * far, `end` the last one. Holds only the record in progress.
 */
export class CsvStream {
  #rest = "";
  #line = 1;

  push(chunk: string): CsvResult {
    this.#rest += chunk;
    return this.#read(false);
  }

  end(): CsvResult {
    return this.#read(true);
  }

  #read(final: boolean): CsvResult {
    const records: CsvRecord[] = [];
    const rejected: RejectedRow[] = [];
    const text = this.#rest;
    let pos = 0;
    while (pos < text.length) {
      const read = readRecord(text, pos, this.#line, final);
      if (!read) break;
      if (read.error) rejected.push({ line: this.#line, reason: read.error });
      else if (!(read.fields.length === 1 && read.fields[0] === ""))
        records.push({ line: this.#line, fields: read.fields });
      pos = read.pos;
      this.#line = read.line;
    }
    this.#rest = text.slice(pos);
    return { records, rejected };
  }
}

/** A whole CSV text at once (see CsvStream for the rules). */
export function parseCsv(text: string): CsvResult {
  const stream = new CsvStream();
  const first = stream.push(text);
  const last = stream.end();
  return { records: [...first.records, ...last.records], rejected: [...first.rejected, ...last.rejected] };
}
