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
  manifest: (version: string) => `model:${version}:manifest`,
  catalogShard: (version: string, shard: number) => `model:${version}:catalog:${shard}`,
  browse: (version: string) => `model:${version}:browse`,
  /** Day `day`'s exploration pool of the whole catalog, or of a region (see regionalPoolIds). */
  exploration: (version: string, day: number, region?: string) =>
    region ? `model:${version}:exploration:${day}:${region}` : `model:${version}:exploration:${day}`,
  charts: (version: string) => `model:${version}:charts`,
  listener: (version: string, listener: string) => `model:${version}:listener:${listener}`,
  similarShard: (version: string, shard: number) => `model:${version}:similar:${shard}`,
  versionPrefix: (version: string) => `model:${version}:`,
};

/** [trackId, score, trackId of the history item that led to it, or null]. */
export type ScoredCandidate = [trackId: string, score: number, because: string | null];

export interface ListenerArtifact {
  candidates: ScoredCandidate[];
  /** Most recent tracks the listener has heard, so exploration can offer only what is new to them. */
  heard: string[];
  /**
   * The catalog rows of the candidates outside the version's browse set (see BrowseArtifact), so ranking
   * them needs no catalog shard read: a listener's candidates are spread over as many shards as they number.
   */
  rows?: CatalogRow[];
}

export type SimilarList = [trackId: string, score: number][];

/**
 * Tracks' neighbour lists come in shards of about TRACKS_PER_SIMILAR_SHARD tracks, found by a hash of the
 * track id: a KV write per track made publishing a catalogue cost one write per track (17,632 for Last.fm),
 * while a shard is still small enough to read on a request (about 30 KB). A shard is one SimilarEntry a
 * line (keyed-lines.ts), so a reader parses the one list it wants, not 32.
 */
export type SimilarEntry = [trackId: string, neighbours: SimilarList];

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
  /** The rows of every track the charts name, so serving a chart reads nothing more. */
  rows: CatalogRow[];
}

/**
 * One track in the catalog snapshot, in the order of CATALOG_COLUMNS, so the snapshot stays compact. A
 * catalog shard (the rows of the tracks whose id hashes to it, see catalogShardOf) is one row a line
 * (keyed-lines.ts), so a reader parses only the rows it asks for.
 */
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

/**
 * What a reader needs to find a version's other artefacts: the shard counts their keys are cut by.
 * Small and read once per version by an isolate.
 */
export interface VersionManifest {
  tracks: number;
  /** How many shards the version's catalog rows were written in (see catalogShardOf). */
  catalogShards: number;
  /** How many shards the version's neighbour lists were written in (see similarShardOf). */
  similarShards: number;
  /** How many daily exploration pools were written (see explorationPoolOf). */
  explorationPools: number;
  /** The regions with daily pools of their own (see regionalPoolIds); absent in versions published before them. */
  explorationRegions?: string[];
}

/**
 * The version's browse set: its BROWSE_TRACKS most listened tracks and its new releases, most listened
 * first. What lists, stations and onboarding pick from by genre, artist or sound, instead of the whole
 * catalog: bounded whatever the catalog's size, and the whole catalog while it is smaller than that.
 */
export interface BrowseArtifact {
  rows: CatalogRow[];
}

/**
 * One day's exploration pool, from which each listener samples: tracks drawn evenly from the whole catalog,
 * or for a region, those mixed with what the region's listeners play beyond its chart.
 */
export interface ExplorationArtifact {
  rows: CatalogRow[];
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
