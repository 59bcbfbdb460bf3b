import { describe, expect, it } from "vitest";
import { versionsToKeep, versionsToPrune, type VersionRecord } from "./retention";

const v = (n: number, status: VersionRecord["status"] = "published"): VersionRecord => ({
  version: `v${n}`,
  status,
  createdAt: n,
});

describe("version retention", () => {
  const versions = [v(1), v(2, "rejected"), v(3), v(4, "failed"), v(5), v(6), v(7, "pruned"), v(8, "building")];

  it("keeps live, previous, pinned, building and the N newest; prunes the rest oldest first", () => {
    const keep = { live: "v3", previous: "v1", pinned: ["v2"], recent: 2 };
    expect([...versionsToKeep(versions, keep)].sort()).toEqual(["v1", "v2", "v3", "v6", "v8"]);
    expect(versionsToPrune(versions, keep)).toEqual(["v4", "v5"]);
  });

  it("never prunes a version twice, nor what is building, even with nothing else kept", () => {
    expect(versionsToPrune(versions, { pinned: [], recent: 0 })).toEqual(["v1", "v2", "v3", "v4", "v5", "v6"]);
  });

  it("prunes nothing while there are no more versions than it keeps", () => {
    expect(versionsToPrune([v(1), v(2)], { live: "v2", previous: "v1", pinned: [], recent: 3 })).toEqual([]);
  });
});
