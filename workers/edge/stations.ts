import { MAX_STATION_TRACKS, type StationTrack } from "../../shared/playlists/radio";

/** A radio station as its listener's session object keeps it. */
export interface Station {
  id: string;
  /** The seed as the query wrote it, such as `track:trk-1`. */
  seed: string;
  title: string;
  seedTrackIds: string[];
  createdAt: number;
  usedAt: number;
}

export interface StationState extends Station {
  /** Every track served, in order, with why. */
  served: StationTrack[];
}

/** Stations kept per listener: starting one more forgets the one used least recently. */
export const MAX_STATIONS = 20;

/**
 * The listener's radio stations inside the session object's SQLite: each one's seed and what it
 * served, in order, so it never repeats a track. Bounded: at most MAX_STATIONS stations of at most
 * MAX_STATION_TRACKS tracks.
 */
export class Stations {
  constructor(private readonly sql: SqlStorage) {}

  createTables(): void {
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS radio_stations (id TEXT PRIMARY KEY, seed TEXT NOT NULL, title TEXT NOT NULL, seed_tracks TEXT NOT NULL, created_at INTEGER NOT NULL, used_at INTEGER NOT NULL)`,
    );
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS radio_served (station_id TEXT NOT NULL, position INTEGER NOT NULL, track_id TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (station_id, position))`,
    );
  }

  /** Keeps a new station, forgetting the least recently used beyond MAX_STATIONS. */
  create(station: Station): void {
    this.sql.exec(
      `INSERT INTO radio_stations (id, seed, title, seed_tracks, created_at, used_at) VALUES (?, ?, ?, ?, ?, ?)`,
      station.id,
      station.seed,
      station.title,
      JSON.stringify(station.seedTrackIds),
      station.createdAt,
      station.usedAt,
    );
    const old = this.sql
      .exec<{ id: string }>(`SELECT id FROM radio_stations ORDER BY used_at DESC, id LIMIT -1 OFFSET ?`, MAX_STATIONS)
      .toArray();
    for (const { id } of old) {
      this.sql.exec(`DELETE FROM radio_served WHERE station_id = ?`, id);
      this.sql.exec(`DELETE FROM radio_stations WHERE id = ?`, id);
    }
  }

  station(id: string): StationState | null {
    const row = this.sql
      .exec<{ id: string; seed: string; title: string; seedTracks: string; createdAt: number; usedAt: number }>(
        `SELECT id, seed, title, seed_tracks AS seedTracks, created_at AS createdAt, used_at AS usedAt FROM radio_stations WHERE id = ?`,
        id,
      )
      .toArray()[0];
    if (!row) return null;
    const served = this.sql
      .exec<{ trackId: string; reason: string }>(
        `SELECT track_id AS trackId, reason FROM radio_served WHERE station_id = ? ORDER BY position`,
        id,
      )
      .toArray()
      .map((r) => ({ trackId: r.trackId, reason: JSON.parse(r.reason) as StationTrack["reason"] }));
    const { seedTracks, ...station } = row;
    return { ...station, seedTrackIds: JSON.parse(seedTracks) as string[], served };
  }

  /**
   * Appends a page at `offset`, if the station still ends there; a page another request appended
   * first wins and is what both answer, so two devices asking at once never get a repeat. Answers
   * the tracks standing from `offset` on, or null for a station that no longer exists.
   */
  extend(id: string, offset: number, page: readonly StationTrack[], limit: number, now: number): StationTrack[] | null {
    const { n } = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM radio_served WHERE station_id = ?`, id).one();
    if (n === offset) {
      page
        .slice(0, MAX_STATION_TRACKS - offset)
        .forEach((track, i) =>
          this.sql.exec(
            `INSERT INTO radio_served (station_id, position, track_id, reason) VALUES (?, ?, ?, ?)`,
            id,
            offset + i,
            track.trackId,
            JSON.stringify(track.reason),
          ),
        );
    }
    if (this.sql.exec(`UPDATE radio_stations SET used_at = ? WHERE id = ?`, now, id).rowsWritten === 0) return null;
    return this.station(id)!.served.slice(offset, offset + limit);
  }

  /** Every station with what it served, most recently used first (for the listener's export). */
  all(): StationState[] {
    return this.sql
      .exec<{ id: string }>(`SELECT id FROM radio_stations ORDER BY used_at DESC, id`)
      .toArray()
      .map(({ id }) => this.station(id)!);
  }
}
