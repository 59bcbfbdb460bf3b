import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvStream, parseCsv } from "./csv";

describe("parseCsv (RFC 4180)", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    const { records, rejected } = parseCsv('a,"b, c","say ""hi"""\r\n"multi\nline",x,\n');
    expect(rejected).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ["a", "b, c", 'say "hi"'] },
      { line: 2, fields: ["multi\nline", "x", ""] },
    ]);
  });

  it("rejects stray quotes and unterminated quotes with line numbers", () => {
    const { records, rejected } = parseCsv('ok,1\nbad"quote,2\n"closed"tail,3\nfine,4\n"never closed,5\n');
    expect(records.map((r) => r.fields)).toEqual([
      ["ok", "1"],
      ["fine", "4"],
    ]);
    expect(rejected).toEqual([
      { line: 2, reason: "quote inside an unquoted field" },
      { line: 3, reason: "text after a closing quote" },
      { line: 5, reason: "unterminated quoted field" },
    ]);
  });

  it("round-trips any table written with RFC 4180 quoting", () => {
    const quote = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field);
    const table = fc.array(
      fc.array(fc.string({ unit: fc.constantFrom("a", ",", '"', "\n", "\r\n", " ") }), { minLength: 2, maxLength: 4 }),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(table, (rows) => {
        const text = rows.map((fields) => fields.map(quote).join(",")).join("\r\n") + "\r\n";
        expect(parseCsv(text).records.map((r) => r.fields)).toEqual(rows);
      }),
    );
  });
});

describe("CsvStream", () => {
  it("reads a text cut anywhere into chunks as it reads the whole", () => {
    const text = 'a,"b, c",d\r\n"multi\r\nline","say ""hi""",\nbad"q,1\n"last",x';
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 8 }), (cuts) => {
        const stream = new CsvStream();
        const bounds = [0, ...cuts.toSorted((a, b) => a - b), text.length];
        const parts = bounds.slice(1).map((end, i) => stream.push(text.slice(bounds[i], end)));
        parts.push(stream.end());
        expect({
          records: parts.flatMap((p) => p.records),
          rejected: parts.flatMap((p) => p.rejected),
        }).toEqual(parseCsv(text));
      }),
    );
  });
});
