/**
 * Which model versions keep their artefacts. Every version's lists stay in KV until pruned, and an erasure
 * deletes a listener's entry in each version not yet pruned: keeping a bounded set is what keeps both the
 * storage and an erasure's operations bounded however many versions were ever built.
 */
export interface VersionRecord {
  version: string;
  status: "building" | "published" | "rejected" | "failed" | "pruned";
  createdAt: number;
}

export interface KeptVersions {
  /** The version the pointer names, and the one live before it (the rollback target). */
  live?: string;
  previous?: string;
  /** Versions something still serves by name: experiment variants. */
  pinned: readonly string[];
  /** How many of the most recently built versions are kept besides those (MODEL_VERSIONS_KEPT). */
  recent: number;
}

/** The versions to keep: live, previous, pinned, whatever is building, and the `recent` newest. */
export function versionsToKeep(versions: readonly VersionRecord[], keep: KeptVersions): Set<string> {
  const newest = versions
    .filter((v) => v.status !== "pruned")
    .sort((a, b) => b.createdAt - a.createdAt || b.version.localeCompare(a.version));
  return new Set([
    ...newest.slice(0, keep.recent).map((v) => v.version),
    ...newest.filter((v) => v.status === "building").map((v) => v.version),
    ...[keep.live, keep.previous, ...keep.pinned].filter((v): v is string => v !== undefined),
  ]);
}

/** The versions whose artefacts go: every one not kept and not pruned already, oldest first. */
export function versionsToPrune(versions: readonly VersionRecord[], keep: KeptVersions): string[] {
  const kept = versionsToKeep(versions, keep);
  return versions
    .filter((v) => v.status !== "pruned" && !kept.has(v.version))
    .sort((a, b) => a.createdAt - b.createdAt || a.version.localeCompare(b.version))
    .map((v) => v.version);
}
