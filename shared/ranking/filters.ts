import type { TrackInfo } from "./types";

export interface Exclusions {
  trackIds: ReadonlySet<string>; // played this session or disliked
  artistIds: ReadonlySet<string>; // disliked
}

export function isExcluded(track: TrackInfo, exclusions: Exclusions): boolean {
  return exclusions.trackIds.has(track.id) || exclusions.artistIds.has(track.artistId);
}

export function removeExcluded<T extends { track: TrackInfo }>(items: readonly T[], exclusions: Exclusions): T[] {
  return items.filter((item) => !isExcluded(item.track, exclusions));
}
