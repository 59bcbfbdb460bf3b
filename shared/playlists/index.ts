import { CONTEXT_MIXES } from "./context-mix";
import { dailyMix } from "./daily-mixes";
import { daylist } from "./daylist";
import { discoverWeekly } from "./discover-weekly";
import { DAILY_MIX_COUNT, type PlaylistKind } from "./kinds";
import { releaseRadar } from "./release-radar";
import type { GeneratedPlaylist, PlaylistGenerator, PlaylistInput } from "./types";

/**
 * One generator per kind, each in a module of its own. A kind without one here has no list yet
 * and answers 404 at the edge.
 */
const GENERATORS: Partial<Record<PlaylistKind, PlaylistGenerator>> = {
  "discover-weekly": discoverWeekly,
  "release-radar": releaseRadar,
  ...Object.fromEntries(Array.from({ length: DAILY_MIX_COUNT }, (_, i) => [`daily-mix-${i + 1}`, dailyMix(i + 1)])),
  ...CONTEXT_MIXES,
  daylist,
};

/** The list of `kind` for this input; null when the listener has none of that kind. */
export function generatePlaylist(kind: PlaylistKind, input: PlaylistInput): GeneratedPlaylist | null {
  return GENERATORS[kind]?.(input) ?? null;
}

export * from "./kinds";
export * from "./period";
export { withoutDisliked } from "./dislikes";
export type * from "./types";
