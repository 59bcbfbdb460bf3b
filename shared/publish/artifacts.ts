import type { LiveSet } from "../experiments/definition";
import type { Track } from "../catalog/types";
import { fnv1a } from "../util/hash";

/**
 * KV layout of a published model. Every artefact lives under its version; readers find the
 * version through one small pointer that is switched only once the whole version is written,
 * so a reader never mixes two versions and a half-written version is never served.
 */
export const CURRENT_MODEL_KEY = "model:current";

export interface ModelPointer {
  version: string;
  publishedAt: number;
  /**
   * The experiments running and the shipped defaults (absent in pointers written before experiments):
   * carried here because the edge reads the pointer anyway, so they cost it no read of their own.
   */
  live?: LiveSet;
}

export const artifactKey = {
  catalog: (version: string) => `model:${version}:catalog`,
  charts: (version: string) => `model:${version}:charts`,
  listener: (version: string, listener: string) => `model:${version}:listener:${listener}`,
  similarShard: (version: string, shard: number) => `model:${version}:similar:${shard}`,
  staging: (version: string, part: string) => `model:${version}:staging:${part}`,
  versionPrefix: (version: string) => `model:${version}:`,
};

/** [trackId, score, trackId of the history item that led to it, or null]. */
export type ScoredCandidate = [trackId: string, score: number, because: string | null];

export interface ListenerArtifact {
  candidates: ScoredCandidate[];
  /** Most recent tracks the listener has heard, so exploration can offer only what is new to them. */
  heard: string[];
}

export type SimilarList = [trackId: string, score: number][];

/**
 * Tracks' neighbour lists come in shards of about TRACKS_PER_SIMILAR_SHARD tracks, found by a hash of the
 * track id: a KV write per track made publishing a catalogue cost one write per track (17,632 for Last.fm),
 * while a shard is still small enough to read on a request (about 30 KB).
 */
export type SimilarShardArtifact = Record<string, SimilarList>;

export const TRACKS_PER_SIMILAR_SHARD = 32;

export function similarShardCount(tracks: number): number {
  return Math.max(1, Math.ceil(tracks / TRACKS_PER_SIMILAR_SHARD));
}

/** The shard of a track's neighbour list: a hash of its id, so a reader needs only the id and the shard count. */
export function similarShardOf(trackId: string, shards: number): number {
  return fnv1a(trackId) % shards;
}

export interface ChartsArtifact {
  global: string[];
  regions: Record<string, string[]>;
  newReleases: string[];
}

/** One track in the catalog snapshot, in the order of CATALOG_COLUMNS, so the snapshot stays compact. */
export type CatalogRow = [
  id: string,
  title: string,
  artistId: string,
  artistName: string,
  albumId: string,
  albumTitle: string,
  genre: string,
  releaseDate: string,
  popularity: number,
  tempo: number,
  energy: number,
  valence: number,
  danceability: number,
  acousticness: number,
  instrumentalness: number,
  speechiness: number,
  loudness: number,
  key: number,
  mode: 0 | 1,
  durationMs: number,
];

export interface CatalogArtifact {
  version: string;
  rows: CatalogRow[];
  /** How many shards the version's neighbour lists were written in (see similarShardOf). */
  similarShards: number;
}

export interface CatalogTrack extends Track {
  /** Share of listeners relative to the most-listened track, 0..1. */
  popularity: number;
}

export function toCatalogRow(t: CatalogTrack): CatalogRow {
  const f = t.features;
  return [
    t.id,
    t.title,
    t.artistId,
    t.artistName,
    t.albumId,
    t.albumTitle,
    t.genre,
    t.releaseDate,
    round4(t.popularity),
    round4(f.tempo),
    round4(f.energy),
    round4(f.valence),
    round4(f.danceability),
    round4(f.acousticness),
    round4(f.instrumentalness),
    round4(f.speechiness),
    round4(f.loudness),
    f.key,
    f.mode,
    f.durationMs,
  ];
}

export function fromCatalogRow(r: CatalogRow): CatalogTrack {
  return {
    id: r[0],
    title: r[1],
    artistId: r[2],
    artistName: r[3],
    albumId: r[4],
    albumTitle: r[5],
    genre: r[6],
    releaseDate: r[7],
    popularity: r[8],
    features: {
      tempo: r[9],
      energy: r[10],
      valence: r[11],
      danceability: r[12],
      acousticness: r[13],
      instrumentalness: r[14],
      speechiness: r[15],
      loudness: r[16],
      key: r[17],
      mode: r[18],
      durationMs: r[19],
    },
  };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
