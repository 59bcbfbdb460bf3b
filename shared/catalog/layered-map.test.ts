import { describe, expect, it } from "vitest";
import { LayeredMap } from "./layered-map";

describe("LayeredMap", () => {
  const base = new Map([
    ["a", 1],
    ["b", 2],
  ]);
  const own = new Map([
    ["b", 20],
    ["c", 3],
  ]);
  const layered = new LayeredMap([base, null, own, new Map()]);

  it("answers a key from the first layer that has it", () => {
    expect(layered.get("b")).toBe(2);
    expect(layered.get("c")).toBe(3);
    expect(layered.get("d")).toBeUndefined();
    expect(layered.has("c")).toBe(true);
    expect(layered.has("d")).toBe(false);
  });

  it("iterates each key once, as a map of all layers would", () => {
    expect([...layered]).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    expect(layered.size).toBe(3);
    expect([...layered.values()]).toEqual([1, 2, 3]);
    const seen: string[] = [];
    layered.forEach((_, key) => seen.push(key));
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("copies nothing: a layer's later entries show through", () => {
    const growing = new Map([["y", 25]]);
    const view = new LayeredMap([growing, base]);
    growing.set("z", 26);
    expect(view.get("z")).toBe(26);
  });
});
