import { z } from "zod";
import { Id } from "../api/schemas";
import { genreName } from "../catalog/features";
import { rankRecommendations } from "../ranking";
import { trackSimilarity, trackVector } from "../ranking/similarity";
import type { Candidate, Neighbours, Reason, TrackInfo } from "../ranking/types";
import { readTaste, type SessionState } from "../session";

/** What a station grows from: `track:trk-1`, `artist:art-0002`, `genre:dream pop`, `playlist:discover-weekly`. */
export type RadioSeed =
  | { kind: "track"; id: string }
  | { kind: "artist"; id: string }
  | { kind: "genre"; name: string }
  | { kind: "playlist"; id: string };

const SEED_FORMAT = "must be track:<id>, artist:<id>, genre:<name> or playlist:<kind or id>";
const MAX_GENRE_LENGTH = 60;

/** The seed a query names, or null when it is not one. Genres are compared in their one spelling (genreName). */
export function parseSeed(raw: string): RadioSeed | null {
  const colon = raw.indexOf(":");
  if (colon < 0) return null;
  const kind = raw.slice(0, colon),
    value = raw.slice(colon + 1);
  if (kind === "genre") {
    const name = genreName(value);
    return name.length > 0 && name.length <= MAX_GENRE_LENGTH ? { kind, name } : null;
  }
  if ((kind === "track" || kind === "artist" || kind === "playlist") && Id.safeParse(value).success) {
    return { kind, id: value };
  }
  return null;
}

/** The seed as it is written in a query, and stored with its station. */
export function seedText(seed: RadioSeed): string {
  return seed.kind === "genre" ? `genre:${seed.name}` : `${seed.kind}:${seed.id}`;
}

export const RadioSeedParam = z
  .string()
  .max(200)
  .transform((raw, ctx) => {
    const seed = parseSeed(raw);
    if (!seed) ctx.addIssue({ code: "custom", message: SEED_FORMAT });
    return seed ?? z.NEVER;
  });

/** A station's id: `st_` and 16 hex digits, drawn at random when it starts. */
const STATION = "st_[0-9a-f]{16}";

/** A station's pages are addressed by `<station>.<offset>`: the offset of the first track the next page holds. */
export function cursorOf(stationId: string, offset: number): string {
  return `${stationId}.${offset}`;
}

export const RadioCursor = z
  .string()
  .regex(new RegExp(`^${STATION}\\.\\d{1,6}$`), "must be a cursor of an earlier radio page")
  .transform((s) => {
    const [stationId, offset] = s.split(".") as [string, string];
    return { stationId, offset: Number(offset) };
  });

export const StationId = z
  .string()
  .regex(new RegExp(`^${STATION}$`), "must be a station id of an earlier radio answer");

export function newStationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `st_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Tracks a station starts from: a track seed itself, else the seed's best-known few. */
export const SEED_TRACKS = 10;
/** A station remembers this many tracks, so it never repeats one; past them it ends. */
export const MAX_STATION_TRACKS = 1000;
/** Candidates drawn from the whole catalog by sound per page slot, so a station never runs dry. */
const SOUND_FILL_PER_SLOT = 10;
const MIN_SOUND_FILL = 200;
/** The session tracks the station grows towards (positive taste) or whose neighbours it avoids: the strongest few. */
const SESSION_ANCHORS = 4;

/** The catalog tracks a seed names, best-known first; empty when the catalog has none (an unknown artist). */
export function seedTracks(
  seed: Exclude<RadioSeed, { kind: "playlist" }>,
  tracks: ReadonlyMap<string, TrackInfo>,
): string[] {
  if (seed.kind === "track") return tracks.has(seed.id) ? [seed.id] : [];
  const matching = [...tracks.values()].filter((t) =>
    seed.kind === "artist" ? t.artistId === seed.id : t.genre === seed.name,
  );
  return matching
    .sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id))
    .slice(0, SEED_TRACKS)
    .map((t) => t.id);
}

/**
 * The tracks whose published neighbours a page needs: the station's seeds, and the session tracks
 * weighing most either way (what the listener enjoys pulls the station towards its neighbours,
 * what they skipped pushes them down).
 */
export function neighbourSeeds(seeds: readonly string[], session: SessionState, now: number): string[] {
  const strongest = [...readTaste(session, now).tracks]
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, SESSION_ANCHORS)
    .map(([id]) => id);
  return [...new Set([...seeds, ...strongest])];
}

export interface StationPageInput {
  /** The station's seed tracks, best first. */
  seeds: readonly string[];
  /** Every track the station has served: never again. */
  served: ReadonlySet<string>;
  tracks: ReadonlyMap<string, TrackInfo>;
  /** Published neighbours of at least the tracks neighbourSeeds names. */
  neighbours: Neighbours;
  /** The live session (empty without consent to personalise). */
  session: SessionState;
  now: number;
  seed: number;
  n: number;
}

export interface StationTrack {
  trackId: string;
  reason: Reason;
}

/**
 * The station's next page: what sounds like its seeds (their neighbours and, so the station never
 * ends, the whole catalog by sound), widened by neighbours of what the listener enjoys in this
 * session, minus everything the station served, ranked by the one ranking pipeline with the live
 * session. So two early skips of a sound pull that sound's tracks down on the next page, as they
 * do in recommendations, and a completion pulls its neighbours up.
 */
export function stationPage(input: StationPageInput): StationTrack[] {
  const { tracks, served } = input;
  const seeds = input.seeds.filter((id) => tracks.has(id));
  const anchorOf = new Map<string, string>();
  const candidates: Candidate[] = [];
  const offer = (trackId: string, score: number, source: Candidate["source"], anchor: string) => {
    if (served.has(trackId) || !tracks.has(trackId)) return;
    candidates.push({ trackId, score, source });
    if (!anchorOf.has(trackId)) anchorOf.set(trackId, anchor);
  };

  for (const id of seeds) offer(id, 1, "similar", id);
  const taste = readTaste(input.session, input.now);
  const growing = [...taste.tracks]
    .filter(([, weight]) => weight > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, SESSION_ANCHORS);
  const anchors = [...seeds.map((id) => [id, 1] as const), ...growing.map(([id, w]) => [id, Math.min(1, w)] as const)];
  for (const [anchor, weight] of anchors) {
    for (const nb of input.neighbours(anchor)) offer(nb.trackId, nb.score * weight, "similar", anchor);
  }
  for (const { trackId, score, anchor } of soundsLike(seeds, tracks, served, fillSize(input.n))) {
    offer(trackId, score, "fallback", anchor);
  }

  const ranked = rankRecommendations({
    candidates,
    tracks,
    session: input.session,
    neighbours: input.neighbours,
    // A station stays on its sound: no exploration slots of tracks unlike it.
    explorationPool: [],
    now: input.now,
    seed: input.seed,
    n: input.n,
  });
  return ranked.map((item) => ({
    trackId: item.trackId,
    reason: SESSION_REASONS.has(item.reason.code) ? item.reason : seedReason(tracks.get(anchorOf.get(item.trackId)!)!),
  }));
}

/** Reasons that name the listener's own session: kept, as they say why the station turned that way. */
const SESSION_REASONS = new Set<Reason["code"]>(["because_you_played", "similar_to_liked"]);

function seedReason(anchor: TrackInfo): Reason {
  return { code: "similar_to_seed", text: `Sounds like ${anchor.title} by ${anchor.artistName}` };
}

function fillSize(n: number): number {
  return Math.max(MIN_SOUND_FILL, n * SOUND_FILL_PER_SLOT);
}

/** The `count` unserved catalog tracks closest in sound to any seed, with the seed each is closest to. */
function soundsLike(
  seeds: readonly string[],
  tracks: ReadonlyMap<string, TrackInfo>,
  served: ReadonlySet<string>,
  count: number,
): { trackId: string; score: number; anchor: string }[] {
  const seedVectors = seeds.map((id) => ({ id, vector: trackVector(tracks.get(id)!) }));
  if (seedVectors.length === 0) return [];
  const scored: { trackId: string; score: number; anchor: string }[] = [];
  for (const track of tracks.values()) {
    if (served.has(track.id)) continue;
    const vector = trackVector(track);
    let score = -1,
      anchor = seedVectors[0]!.id;
    for (const s of seedVectors) {
      const similarity = trackSimilarity(s.vector, vector);
      if (similarity > score) [score, anchor] = [similarity, s.id];
    }
    scored.push({ trackId: track.id, score, anchor });
  }
  return scored.sort((a, b) => b.score - a.score || a.trackId.localeCompare(b.trackId)).slice(0, count);
}
