import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";

/**
 * D1 allows 100 bound parameters per statement, which caps a plain multi-row INSERT at a handful
 * of rows. Passing the rows as one JSON parameter and expanding them with json_each lifts that to
 * hundreds of rows per statement, still fully parameterised. Keys of each row are the drizzle
 * property names of the table's columns.
 */
const MAX_JSON_PARAM_BYTES = 90_000;

export type ConflictMode = "ignore" | "replace";

export function bulkInsertStatements(
  db: D1Database,
  table: SQLiteTable,
  rows: readonly object[],
  mode: ConflictMode,
): D1PreparedStatement[] {
  const { name, columns } = getTableConfig(table);
  const properties = Object.entries(table).filter(([, col]) => columns.includes(col as never)) as [
    string,
    { name: string },
  ][];
  const sql =
    `INSERT OR ${mode.toUpperCase()} INTO "${name}" (${properties.map(([, c]) => `"${c.name}"`).join(", ")}) ` +
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

/** Runs statements in D1 batches; each batch is atomic, which is all D1 offers in place of transactions. */
export async function runInBatches(db: D1Database, statements: D1PreparedStatement[], perBatch = 50): Promise<void> {
  for (let i = 0; i < statements.length; i += perBatch) {
    await db.batch(statements.slice(i, i + perBatch));
  }
}
