/**
 * A shard stored as one line per entry, each line the JSON of an array whose first element is the entry's
 * key (a catalog row is one already). A reader holds the text as it came, one string and no objects, and
 * parses only the lines of the keys it asks for: a request that wants one row of a 64-row shard pays a
 * search of the text, not a parse of the whole shard and an object per row. The separator is safe: JSON
 * never has a raw newline, so a newline followed by `["key",` can only start that key's line.
 */
export type KeyedLine = readonly [key: string, value: unknown, ...rest: unknown[]];

export function encodeKeyedLines(entries: readonly KeyedLine[]): string {
  return entries.map((entry) => JSON.stringify(entry)).join("\n");
}

/** The entry of `key` in `text` (as encodeKeyedLines wrote it), parsed; undefined when the shard lacks it. */
export function findKeyedLine<T extends KeyedLine>(text: string, key: string): T | undefined {
  const start = `[${JSON.stringify(key)},`;
  let at = 0;
  if (!text.startsWith(start)) {
    const newline = text.indexOf(`\n${start}`);
    if (newline === -1) return undefined;
    at = newline + 1;
  }
  const end = text.indexOf("\n", at);
  return JSON.parse(end === -1 ? text.slice(at) : text.slice(at, end)) as T;
}
