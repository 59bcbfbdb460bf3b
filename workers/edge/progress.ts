import { positionAfterPlay, positionIn, type ListOrder, type ListProgress } from "../../shared/playlists/progress";

/** A row as SQLite answers it (the storage API wants an indexable record). */
type Row = ListProgress & Record<string, SqlStorageValue>;

/** A play of a track reported with the list it was played from (an event's `context.playlistId`). */
export interface ListPlay {
  listId: string;
  trackId: string;
  at: number;
}

/**
 * Where the listener is in each of their lists, inside the session object's SQLite: the track to
 * play next, whichever device played the last one. One row a list: a list of a new period starts
 * from the top, so the old period's row has nothing left to keep.
 */
export class ListPositions {
  constructor(private readonly sql: SqlStorage) {}

  createTables(): void {
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS list_progress (list_id TEXT PRIMARY KEY, period_key TEXT NOT NULL, position INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    );
  }

  /**
   * The position of the track to serve next, moved on past it: the speaker plays it now. At the
   * end of the list the position stays at its length, which says the list is done.
   */
  next(listId: string, list: ListOrder, now: number): number {
    const position = positionIn(list, this.#progress(listId));
    if (position < list.trackIds.length) this.#set(listId, list, position + 1, now);
    return position;
  }

  /** Moves each list on past the track played from it, in the order the plays happened. */
  follow(plays: readonly ListPlay[], listOf: (listId: string) => ListOrder | null): void {
    for (const play of [...plays].sort((a, b) => a.at - b.at)) {
      const list = listOf(play.listId);
      if (!list) continue;
      const position = positionAfterPlay(list, this.#progress(play.listId), play.trackId, play.at);
      if (position !== null) this.#set(play.listId, list, position, play.at);
    }
  }

  all(): ListProgress[] {
    return this.sql
      .exec<Row>(
        `SELECT list_id AS listId, period_key AS periodKey, position, updated_at AS updatedAt FROM list_progress ORDER BY list_id`,
      )
      .toArray();
  }

  #progress(listId: string): ListProgress | null {
    return (
      this.sql
        .exec<Row>(
          `SELECT list_id AS listId, period_key AS periodKey, position, updated_at AS updatedAt FROM list_progress WHERE list_id = ?`,
          listId,
        )
        .toArray()[0] ?? null
    );
  }

  #set(listId: string, list: ListOrder, position: number, at: number): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO list_progress (list_id, period_key, position, updated_at) VALUES (?, ?, ?, ?)`,
      listId,
      list.periodKey,
      position,
      at,
    );
  }
}
