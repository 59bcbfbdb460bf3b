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

/** What the listener agreed to; both default to on and can be withdrawn at any time. */
export interface Consent {
  /** Use of listening history to personalise answers; off means nothing is stored or queued. */
  personalization: boolean;
  /** Use in engagement metrics (session summaries). */
  analytics: boolean;
}

export const DEFAULT_CONSENT: Consent = { personalization: true, analytics: true };

export interface SessionView {
  state: SessionState;
  consent: Consent;
}

/** Event ids are remembered this long, far beyond any client's retry window. */
const SEEN_EVENT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * One per listener, addressed by pseudonym: the live session (what was just played, skipped or
 * liked, on which device, in which activity) in SQLite storage, so the very next request sees it
 * and it survives eviction. The state itself is the pure reducer of shared/session.
 */
export class ListenerSession extends DurableObject<Env> {
  #state: SessionState = createSession();
  #consent: Consent = DEFAULT_CONSENT;
  #listener: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql;
      this.#createTables();
      const row = sql
        .exec<{ listener: string; state: string; consent: string }>(
          `SELECT listener, state, consent FROM session WHERE id = 1`,
        )
        .toArray()[0];
      if (row) {
        this.#listener = row.listener;
        this.#state = JSON.parse(row.state) as SessionState;
        this.#consent = JSON.parse(row.consent) as Consent;
      }
    });
  }

  #createTables(): void {
    const sql = this.ctx.storage.sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS session (id INTEGER PRIMARY KEY CHECK (id = 1), listener TEXT NOT NULL, state TEXT NOT NULL, consent TEXT NOT NULL)`,
    );
    sql.exec(`CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)`);
  }

  /**
   * Folds new events into the session; events seen before (client retries) change nothing. Without
   * personalization consent nothing is kept, and the caller must not pass the events on either.
   */
  async record(
    listener: string,
    events: ListeningEvent[],
    now = Date.now(),
  ): Promise<{ fresh: number; consent: Consent }> {
    this.#listener = listener;
    if (!this.#consent.personalization) return { fresh: 0, consent: this.#consent };
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
    return { fresh: fresh.length, consent: this.#consent };
  }

  async snapshot(now = Date.now()): Promise<SessionView> {
    await this.#closeIfIdle(now);
    return { state: this.#state, consent: this.#consent };
  }

  /** Withdrawing personalization also forgets the live session: it is listening history too. */
  async setConsent(listener: string, consent: Consent): Promise<Consent> {
    this.#listener = listener;
    this.#consent = consent;
    if (!consent.personalization) {
      this.#state = createSession();
      this.ctx.storage.sql.exec(`DELETE FROM seen_events`);
      await this.ctx.storage.deleteAlarm();
    }
    this.#save();
    return consent;
  }

  /** Erasure: every trace of the listener in this object, storage and alarm included. */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // deleteAll drops the tables too; this instance may serve the same listener again before it is evicted.
    this.#createTables();
    this.#state = createSession();
    this.#consent = DEFAULT_CONSENT;
    this.#listener = null;
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
    if (this.#consent.analytics) {
      const message: QueuedSessionSummary = { kind: "session", listener: this.#listener, ...summary };
      await this.env.EVENTS.send(message, { contentType: "json" });
    }
    this.#state = state;
    this.#save();
  }

  #save(): void {
    if (!this.#listener) return;
    this.ctx.storage.sql.exec(
      `INSERT OR REPLACE INTO session (id, listener, state, consent) VALUES (1, ?, ?, ?)`,
      this.#listener,
      JSON.stringify(this.#state),
      JSON.stringify(this.#consent),
    );
  }
}
