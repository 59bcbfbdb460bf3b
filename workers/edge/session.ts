import { DurableObject } from "cloudflare:workers";
import type { QueuedSessionSummary } from "../../shared/api/schemas";
import {
  applyEvent,
  closeIfIdle,
  createSession,
  DEFAULT_SESSION_CONFIG,
  type ListeningEvent,
  type SessionState,
} from "../../shared/session";
import type { Env } from "./env";

/** Event ids are remembered this long, far beyond any client's retry window. */
const SEEN_EVENT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * One per listener, addressed by pseudonym: the live session (what was just played, skipped or
 * liked, on which device, in which activity) in SQLite storage, so the very next request sees it
 * and it survives eviction. The state itself is the pure reducer of shared/session.
 */
export class ListenerSession extends DurableObject<Env> {
  #state: SessionState = createSession();
  #listener: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql;
      sql.exec(
        `CREATE TABLE IF NOT EXISTS session (id INTEGER PRIMARY KEY CHECK (id = 1), listener TEXT NOT NULL, state TEXT NOT NULL)`,
      );
      sql.exec(`CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)`);
      const row = sql
        .exec<{ listener: string; state: string }>(`SELECT listener, state FROM session WHERE id = 1`)
        .toArray()[0];
      if (row) {
        this.#listener = row.listener;
        this.#state = JSON.parse(row.state) as SessionState;
      }
    });
  }

  /** Folds new events into the session; events seen before (client retries) change nothing. */
  async record(
    listener: string,
    events: ListeningEvent[],
    now = Date.now(),
  ): Promise<{ fresh: number; session: SessionState }> {
    this.#listener = listener;
    await this.#closeIfIdle(now);
    const fresh = events
      .filter(
        (e) =>
          this.ctx.storage.sql.exec(`INSERT OR IGNORE INTO seen_events (event_id, seen_at) VALUES (?, ?)`, e.id, now)
            .rowsWritten > 0,
      )
      .sort((a, b) => a.timestamp - b.timestamp);
    for (const e of fresh) this.#state = applyEvent(this.#state, e, now);
    this.#save();
    if (this.#state.lastActivityAt !== null) {
      await this.ctx.storage.setAlarm(this.#state.lastActivityAt + DEFAULT_SESSION_CONFIG.idleTimeoutMs);
    }
    return { fresh: fresh.length, session: this.#state };
  }

  async snapshot(now = Date.now()): Promise<SessionState> {
    await this.#closeIfIdle(now);
    return this.#state;
  }

  /** Delivered at least once: closing an already-closed session does nothing. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    await this.#closeIfIdle(now);
    this.ctx.storage.sql.exec(`DELETE FROM seen_events WHERE seen_at < ?`, now - SEEN_EVENT_RETENTION_MS);
    if (this.#state.open && this.#state.lastActivityAt !== null) {
      await this.ctx.storage.setAlarm(this.#state.lastActivityAt + DEFAULT_SESSION_CONFIG.idleTimeoutMs);
    }
  }

  async #closeIfIdle(now: number): Promise<void> {
    const { state, summary } = closeIfIdle(this.#state, now);
    if (!summary || !this.#listener) return;
    const message: QueuedSessionSummary = { kind: "session", listener: this.#listener, ...summary };
    await this.env.EVENTS.send(message, { contentType: "json" });
    this.#state = state;
    this.#save();
  }

  #save(): void {
    if (!this.#listener) return;
    this.ctx.storage.sql.exec(
      `INSERT OR REPLACE INTO session (id, listener, state) VALUES (1, ?, ?)`,
      this.#listener,
      JSON.stringify(this.#state),
    );
  }
}
