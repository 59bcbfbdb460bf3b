import { discoverWeekly } from "./discover-weekly";
import type { PlaylistKind } from "./kinds";
import { releaseRadar } from "./release-radar";
import type { GeneratedPlaylist, PlaylistGenerator, PlaylistInput } from "./types";

/**
 * One generator per kind, each in a module of its own. A kind without one here has no list yet
 * and answers 404 at the edge.
 */
const GENERATORS: Partial<Record<PlaylistKind, PlaylistGenerator>> = {
  "discover-weekly": discoverWeekly,
  "release-radar": releaseRadar,
};

/** The list of `kind` for this input; null when the listener has none of that kind. */
export function generatePlaylist(kind: PlaylistKind, input: PlaylistInput): GeneratedPlaylist | null {
  return GENERATORS[kind]?.(input) ?? null;
}

export * from "./kinds";
export * from "./period";
export type * from "./types";
