import { describe, expect, it } from "vitest";
import type { QueuedEvent } from "../api/schemas";
import { evidenceWeight } from "../model";
import { partBytes, partCount, UPLOAD_PART_BYTES } from "./offline-model";
import { batchName, batchObjects, isLakeObjectKey, lakeObjectKey } from "./partitions";
import { lakeRecord, parseLakeRecords, toNdjson, withoutLines } from "./records";
import { trainingSetFromLake } from "./training";

const event = (eventId: string, over: Partial<QueuedEvent> = {}): QueuedEvent => ({
  kind: "event",
  listener: "l_a",
  eventId,
  trackId: "t1",
  type: "play",
  target: null,
  clientTs: Date.UTC(2026, 11, 1, 12),
  receivedAt: Date.UTC(2026, 11, 1, 12),
  positionMs: null,
  msPlayed: null,
  device: "phone",
  context: null,
  region: "SE",
  ...over,
});

describe("lake partitions", () => {
  it("names objects by day of arrival and batch, Hive-style", () => {
    expect(lakeObjectKey("2026-12-01", "abc")).toBe("events/day=2026-12-01/abc.ndjson");
    expect(isLakeObjectKey("events/day=2026-12-01/abc.ndjson")).toBe(true);
    expect(isLakeObjectKey("events/day=2026-12-01/../x.ndjson")).toBe(false);
    expect(isLakeObjectKey("trained/v1/manifest.json")).toBe(false);
  });

  it("cuts a batch into one object per day, each naming its listeners", () => {
    const late = Date.UTC(2026, 11, 2, 0, 1);
    const objects = batchObjects(
      [event("a"), event("b", { listener: "l_b", receivedAt: late }), event("c", { listener: "l_b" })].map(lakeRecord),
      "batch",
    );
    expect(objects.map((o) => [o.key, o.listeners])).toEqual([
      ["events/day=2026-12-01/batch.ndjson", ["l_a", "l_b"]],
      ["events/day=2026-12-02/batch.ndjson", ["l_b"]],
    ]);
  });

  it("names a batch by its messages, whatever their order", async () => {
    expect(await batchName(["m2", "m1"])).toBe(await batchName(["m1", "m2"]));
    expect(await batchName(["m1"])).not.toBe(await batchName(["m1", "m2"]));
    expect(await batchName(["m1"])).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("lake records", () => {
  it("reads each event once across files, skipping lines that are not records", () => {
    const a = toNdjson([lakeRecord(event("a")), lakeRecord(event("b"))]);
    const again = toNdjson([lakeRecord(event("b")), lakeRecord(event("a", { listener: "l_b" }))]);
    const records = parseLakeRecords([a, `${again}not json\n{"v":99}\n`]);
    expect(records.map((r) => `${r.listener}/${r.eventId}`)).toEqual(["l_a/a", "l_a/b", "l_b/a"]);
    expect(records[0]).not.toHaveProperty("kind");
  });

  it("removes a listener's lines and leaves the others byte for byte", () => {
    const text = toNdjson([lakeRecord(event("a")), lakeRecord(event("b", { listener: "l_b" }))]);
    const { text: left, dropped } = withoutLines(text, (line) => line.listener === "l_a");
    expect(dropped).toBe(1);
    expect(left).toBe(text.split("\n")[1] + "\n");
  });
});

describe("training from the lake", () => {
  it("sums each pair's events into the evidence D1's training read gives, leaving out withheld listeners", () => {
    const records = [
      event("1"),
      event("2", { type: "like" }),
      event("3", { type: "skip", trackId: "t2" }),
      event("4", { listener: "l_b", trackId: "t2" }),
      event("5", { listener: "l_gone", trackId: "t3" }),
    ].map(lakeRecord);
    const set = trainingSetFromLake(records, new Set(["l_gone"]));
    expect(set.listeners).toEqual(["l_a", "l_b"]);
    expect(set.items).toEqual(["t1", "t2"]);
    const none = { plays: 0, completes: 0, skips: 0, likes: 0, dislikes: 0, repeats: 0, adds: 0 };
    expect(set.interactions).toEqual([
      { listener: 0, item: 0, weight: evidenceWeight({ ...none, plays: 1, likes: 1 }) },
      { listener: 0, item: 1, weight: evidenceWeight({ ...none, skips: 1 }) },
      { listener: 1, item: 1, weight: evidenceWeight({ ...none, plays: 1 }) },
    ]);
  });
});

describe("the upload contract", () => {
  it("cuts an array's bytes into parts of UPLOAD_PART_BYTES, the last one the rest", () => {
    const bytes = 2 * UPLOAD_PART_BYTES + 12;
    expect(partCount(bytes)).toBe(3);
    expect([0, 1, 2, 3].map((p) => partBytes(bytes, p))).toEqual([UPLOAD_PART_BYTES, UPLOAD_PART_BYTES, 12, 0]);
    // An empty array is one empty part.
    expect([partCount(0), partBytes(0, 0)]).toEqual([1, 0]);
  });
});
