import type { ServedVariant } from "../../shared/analytics/attribution";

export interface Exposure extends ServedVariant {
  exposedAt: number;
}

/** What the edge needs to know of the listener for experiments, read with the live session. */
export interface ExperimentView {
  /** When the listener was first seen, once known (see ListenerSession.firstSeen); null before. */
  firstSeenAt: number | null;
  /** The experiments whose variant was already served to them: their exposure is logged. */
  exposed: string[];
}

/**
 * The listener's first exposure to each experiment, and when they were first seen, inside the session
 * object's SQLite: per listener, so exported and erased with the object.
 */
export class Exposures {
  /**
   * The view as last read: every answer asks for it and it changes only through this class, so it is
   * read from SQLite again only after a change (or the tables were made anew, as after an erasure).
   */
  #view: ExperimentView | undefined;

  constructor(private readonly sql: SqlStorage) {}

  createTables(): void {
    this.#view = undefined;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS experiment_exposures (experiment_id TEXT PRIMARY KEY, variant TEXT NOT NULL, exposed_at INTEGER NOT NULL)`,
    );
    this.sql.exec(`CREATE TABLE IF NOT EXISTS first_seen (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)`);
  }

  view(): ExperimentView {
    this.#view ??= this.#read();
    return this.#view;
  }

  #read(): ExperimentView {
    const seen = this.sql.exec<{ at: number }>(`SELECT at FROM first_seen WHERE id = 1`).toArray()[0];
    const exposed = this.sql
      .exec<{ id: string }>(`SELECT experiment_id AS id FROM experiment_exposures ORDER BY experiment_id`)
      .toArray()
      .map((r) => r.id);
    return { firstSeenAt: seen?.at ?? null, exposed };
  }

  /** Keeps the first exposure of each experiment; answers those that are new (the others were kept before). */
  record(served: readonly ServedVariant[], now: number): Exposure[] {
    this.#view = undefined;
    return served
      .map((s) => ({ ...s, exposedAt: now }))
      .filter(
        (e) =>
          this.sql.exec(
            `INSERT OR IGNORE INTO experiment_exposures (experiment_id, variant, exposed_at) VALUES (?, ?, ?)`,
            e.experimentId,
            e.variant,
            e.exposedAt,
          ).rowsWritten > 0,
      );
  }

  all(): Exposure[] {
    return this.sql
      .exec<{ experimentId: string; variant: string; exposedAt: number }>(
        `SELECT experiment_id AS experimentId, variant, exposed_at AS exposedAt FROM experiment_exposures ORDER BY exposed_at`,
      )
      .toArray();
  }

  /** Sets when the listener was first seen, unless it is known already; answers the value kept. */
  firstSeen(at: number): number {
    this.#view = undefined;
    this.sql.exec(`INSERT OR IGNORE INTO first_seen (id, at) VALUES (1, ?)`, at);
    return this.sql.exec<{ at: number }>(`SELECT at FROM first_seen WHERE id = 1`).one().at;
  }
}
