import { evidenceWeight } from "../model/evidence";
import { artistProfiles, closestArtists } from "../ranking/artists";
import { isExcluded } from "../ranking/filters";
import { isNewRelease } from "../ranking/freshness";
import { newReleaseReason } from "../ranking/reasons";
import type { TrackInfo } from "../ranking/types";
import { listenerBounds } from "./listener";
import type { GeneratedPlaylist, PlaylistInput, PlaylistTrack } from "./types";

export const RELEASE_RADAR_LENGTH = 30;
export const RELEASE_RADAR_DAYS = 14;
/** Following is a deliberate, lasting choice: worth as much as five likes of the artist's tracks. */
const FOLLOW_AFFINITY = 25;
/** How alike an artist must sound to stand in for a followed one with nothing new. */
const NEIGHBOUR_MIN_SIMILARITY = 0.5;
const SEED_ARTISTS = 5;

/**
 * Release Radar: one track each from the artists the listener follows or plays that released
 * something in the last 14 days, the artists they care for most first (history evidence, plus a
 * large share for following). A followed artist with nothing new is stood in for by the closest
 * sounding artist that has, marked as such. Without consent, the most popular new releases.
 */
export function releaseRadar(input: PlaylistInput): GeneratedPlaylist | null {
  const { disliked } = listenerBounds(input);
  const recent = recentByArtist(input, (track) => !isExcluded(track, disliked));
  if (!input.personalized) return nonPersonal(recent);

  const names = new Map([...input.tracks.values()].map((t) => [t.artistId, t.artistName]));
  const affinity = artistAffinity(input);
  const ranked = [...affinity]
    .filter(([id, a]) => a > 0 && !disliked.artistIds.has(id))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const tracks: PlaylistTrack[] = [];
  const used = new Set<string>();
  for (const [artistId] of ranked) {
    const track = recent.get(artistId);
    if (!track || tracks.length >= RELEASE_RADAR_LENGTH) continue;
    tracks.push({ trackId: track.id, reason: newReleaseReason(track) });
    used.add(artistId);
  }
  const quiet = ranked.filter(([id]) => input.following.has(id) && !recent.has(id)).map(([id]) => id);
  if (quiet.length > 0 && tracks.length < RELEASE_RADAR_LENGTH) {
    const profiles = artistProfiles(input.tracks.values());
    for (const followed of quiet) {
      const stand = closestArtists(followed, profiles, recent.keys(), NEIGHBOUR_MIN_SIMILARITY).find(
        (n) => !used.has(n.artistId),
      );
      if (!stand || tracks.length >= RELEASE_RADAR_LENGTH) continue;
      const track = recent.get(stand.artistId)!;
      tracks.push({
        trackId: track.id,
        reason: newReleaseReason(track, names.get(followed) ?? followed),
        fallback: true,
      });
      used.add(stand.artistId);
    }
  }
  if (tracks.length === 0) return null;
  return {
    kind: "release-radar",
    title: "Release Radar",
    description: `New music from the artists you follow and play, released in the last ${RELEASE_RADAR_DAYS} days${
      tracks.some((t) => t.fallback) ? ", and from artists close to the ones you follow that had nothing new" : ""
    }. New every Friday.`,
    seedArtists: ranked
      .filter(([id]) => used.has(id) || input.following.has(id))
      .slice(0, SEED_ARTISTS)
      .map(([id]) => ({ id, name: names.get(id) ?? id })),
    tracks,
  };
}

/**
 * Each artist's newest release of the last 14 days that `allowed` lets through (the more popular
 * on the same day): one per artist, as the list holds.
 */
function recentByArtist(input: PlaylistInput, allowed: (track: TrackInfo) => boolean): Map<string, TrackInfo> {
  const byArtist = new Map<string, TrackInfo>();
  for (const track of input.tracks.values()) {
    if (!isNewRelease(track.releaseDate, input.now, RELEASE_RADAR_DAYS) || !allowed(track)) continue;
    const current = byArtist.get(track.artistId);
    const better =
      !current ||
      track.releaseDate > current.releaseDate ||
      (track.releaseDate === current.releaseDate &&
        (track.popularity > current.popularity || (track.popularity === current.popularity && track.id < current.id)));
    if (better) byArtist.set(track.artistId, track);
  }
  return byArtist;
}

/** How much the listener cares for each artist: their history's evidence, session plays, and following. */
function artistAffinity(input: PlaylistInput): Map<string, number> {
  const affinity = new Map<string, number>();
  const add = (artistId: string | undefined, weight: number) => {
    if (artistId !== undefined) affinity.set(artistId, (affinity.get(artistId) ?? 0) + weight);
  };
  for (const entry of input.history) add(input.tracks.get(entry.trackId)?.artistId, evidenceWeight(entry));
  // Plays of this session not yet in D1's history.
  const inHistory = new Set(input.history.map((h) => h.trackId));
  for (const id of input.session.played) if (!inHistory.has(id)) add(input.tracks.get(id)?.artistId, 1);
  for (const artistId of input.following) add(artistId, FOLLOW_AFFINITY);
  return affinity;
}

function nonPersonal(recent: ReadonlyMap<string, TrackInfo>): GeneratedPlaylist | null {
  const tracks = [...recent.values()]
    .sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id))
    .slice(0, RELEASE_RADAR_LENGTH);
  if (tracks.length === 0) return null;
  return {
    kind: "release-radar",
    title: "Release Radar",
    description: `The most played new releases of the last ${RELEASE_RADAR_DAYS} days, one per artist. Not personalised: personalisation is off.`,
    seedArtists: [],
    tracks: tracks.map((track) => ({ trackId: track.id, reason: newReleaseReason(track) })),
  };
}
