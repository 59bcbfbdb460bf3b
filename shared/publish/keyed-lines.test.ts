import { describe, expect, it } from "vitest";
import { encodeKeyedLines, findKeyedLine } from "./keyed-lines";

describe("keyed lines", () => {
  const entries = [
    ["first", 1, "a"],
    ["with\nnewline", [["x", 0.5]]],
    ['quoted "id"', { nested: "line\n" }],
    ["last", null],
  ] as const;
  const text = encodeKeyedLines(entries);

  it("find each entry by its key, the first and the last line too", () => {
    for (const entry of entries) expect(findKeyedLine(text, entry[0])).toEqual(entry);
  });

  it("answer undefined for a key the shard lacks, or that only appears inside another line", () => {
    expect(findKeyedLine(text, "missing")).toBeUndefined();
    expect(findKeyedLine(text, "a")).toBeUndefined();
    expect(findKeyedLine(text, "x")).toBeUndefined();
    expect(findKeyedLine("", "first")).toBeUndefined();
  });

  it("keep one entry a line, whatever its values hold", () => {
    expect(text.split("\n")).toHaveLength(entries.length);
  });
});
