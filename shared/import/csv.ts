import type { RejectedRow } from "./rows";

/** One CSV record with the line it starts on (a quoted field may span several lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * RFC 4180 records: fields separated by commas, records by CRLF or LF; a field in double quotes may hold
 * commas, line breaks and doubled quotes (""), which stand for one quote. A quote inside an unquoted field,
 * or text after a closing quote, rejects the record; an unterminated quote rejects the rest of the input.
 */
export function parseCsv(text: string): { records: CsvRecord[]; rejected: RejectedRow[] } {
  const records: CsvRecord[] = [];
  const rejected: RejectedRow[] = [];
  let line = 1;
  let pos = 0;
  while (pos < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let field = "";
      if (text[pos] === '"') {
        pos++;
        let closed = false;
        while (pos < text.length) {
          const ch = text[pos]!;
          if (ch === '"') {
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
          error = "unterminated quoted field";
          break;
        }
        if (
          pos < text.length &&
          text[pos] !== "," &&
          text[pos] !== "\n" &&
          !(text[pos] === "\r" && text[pos + 1] === "\n")
        ) {
          error = "text after a closing quote";
        }
      } else {
        while (
          pos < text.length &&
          text[pos] !== "," &&
          text[pos] !== "\n" &&
          !(text[pos] === "\r" && text[pos + 1] === "\n")
        ) {
          if (text[pos] === '"') error ??= "quote inside an unquoted field";
          field += text[pos++];
        }
      }
      // After a stray quote or trailing text, skip to the end of the field.
      while (
        error &&
        pos < text.length &&
        text[pos] !== "," &&
        text[pos] !== "\n" &&
        !(text[pos] === "\r" && text[pos + 1] === "\n")
      )
        pos++;
      fields.push(field);
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      pos += text[pos] === "\r" ? 2 : 1;
      line++;
      break;
    }
    if (error) rejected.push({ line: startLine, reason: error });
    else if (!(fields.length === 1 && fields[0] === "")) records.push({ line: startLine, fields });
  }
  return { records, rejected };
}
