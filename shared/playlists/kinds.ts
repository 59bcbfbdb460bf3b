import { ACTIVITIES, type Activity } from "../catalog/types";

/** How long a generated list stands before the next one is made (in the listener's own time zone). */
export type Refresh = "weekly-monday" | "weekly-friday" | "daily" | "hourly";

export const DAILY_MIX_COUNT = 6;

/** Every list Setlist generates, by the name it has in `/v1/me/playlists/{kind}`. */
export const PLAYLIST_KINDS = [
  "discover-weekly",
  "release-radar",
  ...Array.from({ length: DAILY_MIX_COUNT }, (_, i) => `daily-mix-${i + 1}` as const),
  ...ACTIVITIES.map((a) => `mix-${a}` as const),
  "daylist",
] as const;
export type PlaylistKind = (typeof PLAYLIST_KINDS)[number];
export type DailyMixKind = `daily-mix-${number}`;
export type ContextMixKind = `mix-${Activity}`;

export function isPlaylistKind(value: string): value is PlaylistKind {
  return (PLAYLIST_KINDS as readonly string[]).includes(value);
}

/**
 * When each kind is made anew: Discover Weekly on Monday at 00:00, Release Radar on Friday (when
 * labels release), the daily and context mixes each day, the daylist each hour as the day moves on.
 */
export function refreshOf(kind: PlaylistKind): Refresh {
  if (kind === "discover-weekly") return "weekly-monday";
  if (kind === "release-radar") return "weekly-friday";
  if (kind === "daylist") return "hourly";
  return "daily";
}

/** The daily mix a kind names (1-based), or null for other kinds. */
export function dailyMixNumber(kind: PlaylistKind): number | null {
  const match = /^daily-mix-(\d)$/.exec(kind);
  return match ? Number(match[1]) : null;
}

/** The activity a context mix is for, or null for other kinds. */
export function mixActivity(kind: PlaylistKind): Activity | null {
  const activity = kind.startsWith("mix-") ? kind.slice(4) : null;
  return (ACTIVITIES as readonly string[]).includes(activity ?? "") ? (activity as Activity) : null;
}

/**
 * Whether a dislike takes a track (or all of an artist's) out of the kind's list at once, though
 * the list is frozen for its period. Discover Weekly does not change during its week, as promised;
 * a disliked track or artist is only kept out of next week's.
 */
export function dropsDislikesAtOnce(kind: PlaylistKind): boolean {
  return kind !== "discover-weekly";
}
