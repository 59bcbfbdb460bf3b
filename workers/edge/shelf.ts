import type { FrozenPlaylist, PlaylistKind } from "../../shared/playlists";

/**
 * The listener's lists inside their session object's SQLite: each generated kind frozen for its
 * period, the artists they follow, and the last time zone a client sent. Kept with the session
 * because they are as much the listener's as it is: one object to read on a request, one to erase.
 */
export class Shelf {
  constructor(private readonly sql: SqlStorage) {}

  createTables(): void {
    // One row a kind: a list is replaced when its next period begins, so the table stays small.
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS generated_playlists (kind TEXT PRIMARY KEY, period_key TEXT NOT NULL, body TEXT NOT NULL)`,
    );
    this.sql.exec(`CREATE TABLE IF NOT EXISTS follows (artist_id TEXT PRIMARY KEY, followed_at INTEGER NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS preferences (name TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  }

  /** The list of `kind` frozen for the period `periodKey`, or null when none was made in it yet. */
  frozen(kind: PlaylistKind, periodKey: string): FrozenPlaylist | null {
    const row = this.sql
      .exec<{ body: string }>(`SELECT body FROM generated_playlists WHERE kind = ? AND period_key = ?`, kind, periodKey)
      .toArray()[0];
    return row ? (JSON.parse(row.body) as FrozenPlaylist) : null;
  }

  /** The list of `kind` frozen last, whatever its period; null when none was made yet. */
  latest(kind: PlaylistKind): FrozenPlaylist | null {
    const row = this.sql
      .exec<{ body: string }>(`SELECT body FROM generated_playlists WHERE kind = ?`, kind)
      .toArray()[0];
    return row ? (JSON.parse(row.body) as FrozenPlaylist) : null;
  }

  /**
   * Freezes a list for its period, unless one was frozen for that period meanwhile (two requests
   * generating at once): the first stays, and both answer it, so every request of a period agrees.
   */
  freeze(list: FrozenPlaylist): FrozenPlaylist {
    const current = this.frozen(list.kind, list.periodKey);
    if (current) return current;
    this.sql.exec(
      `INSERT OR REPLACE INTO generated_playlists (kind, period_key, body) VALUES (?, ?, ?)`,
      list.kind,
      list.periodKey,
      JSON.stringify(list),
    );
    return list;
  }

  generated(): FrozenPlaylist[] {
    return this.sql
      .exec<{ body: string }>(`SELECT body FROM generated_playlists ORDER BY kind`)
      .toArray()
      .map((row) => JSON.parse(row.body) as FrozenPlaylist);
  }

  following(): { artistId: string; followedAt: number }[] {
    return this.sql
      .exec<{ artistId: string; followedAt: number }>(
        `SELECT artist_id AS artistId, followed_at AS followedAt FROM follows ORDER BY followed_at, artist_id`,
      )
      .toArray();
  }

  /** Following twice keeps the first date. */
  follow(artistId: string, now: number): void {
    this.sql.exec(`INSERT OR IGNORE INTO follows (artist_id, followed_at) VALUES (?, ?)`, artistId, now);
  }

  /** True when the artist was followed. */
  unfollow(artistId: string): boolean {
    return this.sql.exec(`DELETE FROM follows WHERE artist_id = ?`, artistId).rowsWritten > 0;
  }

  /** Remembers the zone a client sent, if any, and answers the last one any client sent. */
  timeZone(sent: string | null): string | null {
    if (sent) this.sql.exec(`INSERT OR REPLACE INTO preferences (name, value) VALUES ('time_zone', ?)`, sent);
    return (
      this.sql.exec<{ value: string }>(`SELECT value FROM preferences WHERE name = 'time_zone'`).toArray()[0]?.value ??
      null
    );
  }
}
