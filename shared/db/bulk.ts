import { getTableConfig, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";

/**
 * D1 allows 100 bound parameters per statement, which caps a plain multi-row INSERT at a handful
 * of rows. Passing the rows as one JSON parameter and expanding them with json_each lifts that to
 * hundreds of rows per statement, still fully parameterised. Keys of each row are the drizzle
 * property names of the table's columns.
 */
const MAX_JSON_PARAM_BYTES = 90_000;

export type ConflictMode = "ignore" | "replace";

/**
 * A table's columns, each by the drizzle property name that rows use for it, and the start of an INSERT of
 * all of them in that order. Generated columns (tracks' sound key) are left out: SQLite computes them and
 * refuses a value for one.
 */
function columnsOf(table: SQLiteTable, mode: ConflictMode): { insert: string; properties: [string, SQLiteColumn][] } {
  const { name, columns } = getTableConfig(table);
  const properties = (Object.entries(table) as [string, SQLiteColumn][]).filter(
    ([, col]) => columns.includes(col) && !col.generated,
  );
  const insert = `INSERT OR ${mode.toUpperCase()} INTO "${name}" (${properties.map(([, c]) => `"${c.name}"`).join(", ")})`;
  return { insert, properties };
}

export function bulkInsertStatements(
  db: D1Database,
  table: SQLiteTable,
  rows: readonly object[],
  mode: ConflictMode,
): D1PreparedStatement[] {
  const { insert, properties } = columnsOf(table, mode);
  const sql =
    `${insert} ` +
    `SELECT ${properties.map(([prop]) => `json_extract(value, '$.${prop}')`).join(", ")} FROM json_each(?1)`;
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let bytes = 2;
  const flush = () => {
    if (chunk.length) statements.push(db.prepare(sql).bind(`[${chunk.join(",")}]`));
    chunk = [];
    bytes = 2;
  };
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (bytes + json.length + 1 > MAX_JSON_PARAM_BYTES) flush();
    chunk.push(json);
    bytes += json.length + 1;
  }
  flush();
  return statements;
}

/**
 * Runs statements in D1 batches; each batch is atomic, which is all D1 offers in place of transactions.
 * Answers the rows they changed.
 */
export async function runInBatches(db: D1Database, statements: D1PreparedStatement[], perBatch = 50): Promise<number> {
  let changed = 0;
  for (let i = 0; i < statements.length; i += perBatch) {
    for (const result of await db.batch(statements.slice(i, i + perBatch))) changed += result.meta.changes;
  }
  return changed;
}

/** D1's limit on one statement's text is 100 KB; room is left for the INSERT itself. */
const MAX_STATEMENT_BYTES = 95_000;

/** A value as SQL text: strings quoted (a quote doubled is SQL's only escape), numbers as written. */
function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === "string") {
    // A NUL would end the statement's text early: such a string goes in as its UTF-8 bytes.
    if (value.includes("\0")) {
      const hex = Array.from(new TextEncoder().encode(value), (b) => b.toString(16).padStart(2, "0")).join("");
      return `CAST(X'${hex}' AS TEXT)`;
    }
    return `'${value.replaceAll("'", "''")}'`;
  }
  throw new Error(`no SQL literal for a ${typeof value}`);
}

/**
 * Multi-row INSERTs with the rows as SQL literals rather than bound parameters: no JSON to parse per
 * row, so SQLite inserts several times faster than through json_each, for bulk writes of millions of
 * rows. Each value goes through its column's own mapping (booleans, JSON) and is quoted as SQL text,
 * so any string is safe; the statement text stays within D1's 100 KB.
 */
export function literalInsertStatements(
  db: D1Database,
  table: SQLiteTable,
  rows: readonly object[],
  mode: ConflictMode,
): D1PreparedStatement[] {
  const { insert, properties } = columnsOf(table, mode);
  const head = `${insert} VALUES `;
  const statements: D1PreparedStatement[] = [];
  let values: string[] = [];
  let bytes = head.length;
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    const tuple = `(${properties
      .map(([prop, col]) => {
        const value = record[prop];
        return sqlLiteral(value === null || value === undefined ? null : col.mapToDriverValue(value));
      })
      .join(",")})`;
    if (values.length > 0 && bytes + tuple.length + 1 > MAX_STATEMENT_BYTES) {
      statements.push(db.prepare(head + values.join(",")));
      values = [];
      bytes = head.length;
    }
    values.push(tuple);
    bytes += tuple.length + 1;
  }
  if (values.length > 0) statements.push(db.prepare(head + values.join(",")));
  return statements;
}
