import { describe, expect, it } from "vitest";
import { seededRandom } from "../util/random";
import { holdoutSplit, stableHoldoutSplit } from "./split";
import type { Interaction, TrainingData } from "./types";

/** Listener l plays 3 + l % 20 distinct items of 300; weights are play counts (some skips, negative). */
function listening(listeners: number, seed = 1): TrainingData {
  const random = seededRandom(seed);
  const interactions: Interaction[] = [];
  for (let l = 0; l < listeners; l++) {
    const picks = new Set<number>();
    while (picks.size < 3 + (l % 20)) picks.add(Math.floor(random() * 300));
    for (const item of picks) interactions.push({ listener: l, item, weight: random() < 0.1 ? -1 : 1 + (item % 4) });
  }
  return {
    listeners: Array.from({ length: listeners }, (_, l) => `l_${l.toString(16).padStart(8, "0")}`),
    items: Array.from({ length: 300 }, (_, i) => `trk-${String(i).padStart(5, "0")}`),
    interactions,
  };
}

/** The held-out (listener id, item id) pairs with positive evidence. */
const heldOutPairs = (data: TrainingData, heldOut: number[][]) =>
  new Set(heldOut.flatMap((items, l) => items.map((i) => `${data.listeners[l]}/${data.items[i]}`)));

describe("stableHoldoutSplit", () => {
  const data = listening(400);
  const split = stableHoldoutSplit(data, { key: "test" });

  it("holds out about a fifth of each listener's items, at least one, and keeps small listeners whole", () => {
    const rows = data.interactions as Interaction[];
    const items = data.listeners.map((_, l) => rows.filter((r) => r.listener === l).length);
    const trained = split.train.interactions as { indptr: Int32Array };
    const heldOutCount = items.map((n, l) => n - (trained.indptr[l + 1]! - trained.indptr[l]!));
    items.forEach((n, l) => {
      if (n < 5) expect(heldOutCount[l], `listener ${l}`).toBe(0);
      else expect(heldOutCount[l], `listener ${l}`).toBeGreaterThanOrEqual(1);
    });
    const share = heldOutCount.reduce((a, b) => a + b, 0) / items.filter((n) => n >= 5).reduce((a, b) => a + b, 0);
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.26);
    // Only pairs with positive evidence are what a ranking should surface.
    for (const [l, held] of split.heldOut.entries()) {
      for (const i of held) expect(rows.find((r) => r.listener === l && r.item === i)!.weight).toBeGreaterThan(0);
    }
  });

  it("holds out the same pairs whatever else the data holds, unlike a seeded shuffle", () => {
    // New events: 40 more listeners, and listener 7 played two more items.
    const more = listening(440);
    (more.interactions as Interaction[]).push(
      { listener: 7, item: 299, weight: 3 },
      { listener: 7, item: 298, weight: 1 },
    );
    const before = heldOutPairs(data, split.heldOut);
    const after = heldOutPairs(more, stableHoldoutSplit(more, { key: "test" }).heldOut);
    const kept = [...before].filter((p) => after.has(p)).length;
    // Listener 7's lone fallback pair, if any, is all that may move.
    expect(kept).toBeGreaterThanOrEqual(before.size - 1);

    const shuffled = (d: TrainingData) => heldOutPairs(d, holdoutSplit(d, { seed: 1 }).heldOut);
    const reference = shuffled(data);
    const withOneMore = listening(400);
    // Listener 5 (8 items) gets a ninth: every later listener's shuffle draws other numbers.
    const played = new Set((data.interactions as Interaction[]).filter((r) => r.listener === 5).map((r) => r.item));
    const fresh = [299, 298, 297].find((i) => !played.has(i))!;
    (withOneMore.interactions as Interaction[]).push({ listener: 5, item: fresh, weight: 3 });
    const reshuffled = shuffled(withOneMore);
    const moved = [...reference].filter((p) => !reshuffled.has(p)).length;
    expect(moved).toBeGreaterThan(reference.size / 2);
  });

  it("draws another split under another key", () => {
    const other = heldOutPairs(data, stableHoldoutSplit(data, { key: "other" }).heldOut);
    const same = [...heldOutPairs(data, split.heldOut)].filter((p) => other.has(p)).length;
    expect(same).toBeLessThan(other.size / 2);
  });
});
