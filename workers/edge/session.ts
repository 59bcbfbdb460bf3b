import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { ServedVariant } from "../../shared/analytics/attribution";
import type { QueuedBatch, QueuedEvent, QueuedSessionSummary, QueueMessage } from "../../shared/api/schemas";
import { listeners } from "../../shared/db/schema";
import {
  applyEvent,
  closeIfIdle,
  createSession,
  DEFAULT_SESSION_CONFIG,
  type ListeningEvent,
  type SessionState,
} from "../../shared/session";
import { checkDueAt, DELIVERY_POLICY, nextAlarm, outboxKey, planDrain, sendBatches } from "../../shared/session/outbox";
import { readStoredSession, SESSION_SCHEMA_VERSION } from "../../shared/session/stored";
import { isPlaylistKind, type FrozenPlaylist, type PlaylistKind } from "../../shared/playlists";
import type { ListOrder, ListProgress } from "../../shared/playlists/progress";
import type { StationTrack } from "../../shared/playlists/radio";
import { PLAYBACK_TYPES } from "../../shared/session/events";
import {
  OWN_PLAYLIST_PERIOD,
  type EditResult,
  type OwnPlaylist,
  type OwnPlaylistDraft,
  type OwnPlaylistEdit,
} from "../../shared/playlists/own";
import { playsListEnd } from "../../shared/analytics/lists";
import { checkDelivery } from "./delivery";
import type { Env } from "./env";
import { Exposures, type ExperimentView } from "./exposures";
import { ListPositions } from "./progress";
import { Shelf } from "./shelf";
import { Stations, type Station, type StationState } from "./stations";

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
  experiments: ExperimentView;
}

/** Event ids are remembered this long, far beyond any client's retry window. */
const SEEN_EVENT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** An accepted event in the two forms it takes: folded into the session, and queued on to D1. */
export interface AcceptedEvent {
  listening: ListeningEvent;
  queued: QueuedEvent;
}

/**
 * One per listener, addressed by pseudonym: the live session (what was just played, skipped or
 * liked, on which device, in which activity) in SQLite storage, so the very next request sees it
 * and it survives eviction. The state itself is the pure reducer of shared/session.
 *
 * It is also the transactional outbox of the listener's messages to D1: an event is written to the
 * `outbox` table in the same transaction that marks its id seen, so an answer of 202 means it is
 * stored, and the alarm drains the outbox to the queue until D1 is seen to hold each message
 * (shared/session/outbox.ts). A kill at any moment leaves each accepted message either in D1 or in
 * the outbox, whose alarm survives the restart.
 */
export class ListenerSession extends DurableObject<Env> {
  #state: SessionState = createSession();
  #consent: Consent = DEFAULT_CONSENT;
  #listener: string | null = null;
  /** The alarm as last set or read, so that a schedule which would set it again to the same time does not. */
  #alarmAt: number | null = null;
  readonly #shelf: Shelf;
  readonly #stations: Stations;
  readonly #positions: ListPositions;
  readonly #exposures: Exposures;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#shelf = new Shelf(ctx.storage.sql);
    this.#stations = new Stations(ctx.storage.sql);
    this.#positions = new ListPositions(ctx.storage.sql);
    this.#exposures = new Exposures(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      this.#createTables();
      const row = ctx.storage.sql
        .exec<{ listener: string; state: string; consent: string; schema_version: number }>(
          `SELECT listener, state, consent, schema_version FROM session WHERE id = 1`,
        )
        .toArray()[0];
      if (row) {
        const { state, reset } = readStoredSession(row.schema_version, row.state);
        if (reset)
          console.warn(
            JSON.stringify({ msg: "session state of an unknown version reset", version: row.schema_version }),
          );
        this.#listener = row.listener;
        this.#state = state;
        this.#consent = JSON.parse(row.consent) as Consent;
      }
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  #createTables(): void {
    const sql = this.ctx.storage.sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS session (id INTEGER PRIMARY KEY CHECK (id = 1), listener TEXT NOT NULL, state TEXT NOT NULL, consent TEXT NOT NULL, schema_version INTEGER NOT NULL DEFAULT 0)`,
    );
    // Objects from before the state carried its version have the table without the column: their rows are version 0.
    if (!sql.exec(`SELECT * FROM session LIMIT 0`).columnNames.includes("schema_version")) {
      sql.exec(`ALTER TABLE session ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 0`);
    }
    sql.exec(`CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)`);
    sql.exec(
      `CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL, due_at INTEGER NOT NULL, sent_at INTEGER)`,
    );
    // Outboxes from before sends were timed get the column empty: a row of unknown send time is never held back.
    if (!sql.exec(`SELECT * FROM outbox LIMIT 0`).columnNames.includes("sent_at")) {
      sql.exec(`ALTER TABLE outbox ADD COLUMN sent_at INTEGER`);
    }
    // Every record and alarm asks for the earliest due row, and each drain for the rows due in order: without
    // the index both read the whole outbox, which grows with the consumer's backlog.
    sql.exec(`CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at, key)`);
    this.#shelf.createTables();
    this.#stations.createTables();
    this.#positions.createTables();
    this.#exposures.createTables();
  }

  /**
   * Folds new events into the session and puts them in the outbox, in one transaction; events seen
   * before (client retries) change nothing and are not counted as fresh. Without personalization
   * consent nothing is kept, and nothing is queued. The new rows are written as sent and sent once the
   * transaction is done, not left to an alarm: an alarm per request cost more than the request (bench:ingest).
   * A send that fails is retried at the rows' check, as any lost send is.
   */
  async record(
    listener: string,
    events: AcceptedEvent[],
    now = Date.now(),
  ): Promise<{ fresh: number; consent: Consent }> {
    this.#listener = listener;
    if (!this.#consent.personalization) return { fresh: 0, consent: this.#consent };
    const sent = this.#transaction(() => {
      this.#closeIfIdle(now);
      const seen = this.#markSeen(
        events.map((e) => e.listening.id),
        now,
      );
      const fresh = events
        .filter((e) => seen.has(e.listening.id))
        .sort((a, b) => a.listening.timestamp - b.listening.timestamp);
      const messages = fresh.map((e) => {
        this.#state = applyEvent(this.#state, e.listening, now);
        // Marked here, where the list served is known: the KPIs count a list played to its end.
        const listEnd = playsListEnd(e.queued, (listId) => this.#listOrder(listId)?.trackIds.at(-1));
        return listEnd ? { ...e.queued, listEnd } : e.queued;
      });
      // A track played from a list, on any device, is where the listener now is in that list.
      this.#positions.follow(
        fresh.flatMap(({ listening, queued }) =>
          queued.context?.playlistId && PLAYBACK_TYPES.has(listening.type)
            ? [
                {
                  listId: queued.context.playlistId,
                  trackId: listening.trackId,
                  at: Math.min(listening.timestamp, now),
                },
              ]
            : [],
        ),
        (listId) => this.#listOrder(listId),
      );
      this.#save();
      return this.#enqueueSent(messages, now);
    });
    await this.#send(sent);
    await this.#schedule();
    return { fresh: sent.length, consent: this.#consent };
  }

  async snapshot(now = Date.now()): Promise<SessionView> {
    if (this.#closeIfIdle(now)) await this.#schedule();
    return { state: this.#state, consent: this.#consent, experiments: this.#exposures.view() };
  }

  /**
   * Logs that answers of these variants were served to the listener: the first exposure to each
   * experiment is kept here and put in the outbox in one transaction, so it reaches D1
   * (experiment_exposures) as events do. Without analytics consent nothing is logged.
   */
  async exposed(listener: string, served: ServedVariant[], now = Date.now()): Promise<void> {
    this.#listener = listener;
    if (!this.#consent.analytics) return;
    this.ctx.storage.transactionSync(() => {
      for (const e of this.#exposures.record(served, now)) this.#enqueue({ kind: "exposure", listener, ...e }, now);
    });
    await this.#schedule();
  }

  /**
   * When the listener was first seen, for targeting by new or existing listeners: when D1 first held
   * them (their first stored event, or seeding), else now; asked once, then kept. Only experiments so
   * targeted ask, so no other request pays the read.
   */
  async firstSeen(listener: string, now = Date.now()): Promise<number> {
    const [row] = await drizzle(this.env.DB)
      .select({ createdAt: listeners.createdAt })
      .from(listeners)
      .where(eq(listeners.id, listener));
    return this.#exposures.firstSeen(Math.min(row?.createdAt ?? now, now));
  }

  /** The listener's first exposure to each experiment (for their export). */
  async exposures() {
    return this.#exposures.all();
  }

  /** The list of `kind` frozen for the period `periodKey`, or null. */
  async frozenPlaylist(kind: PlaylistKind, periodKey: string): Promise<FrozenPlaylist | null> {
    return this.#shelf.frozen(kind, periodKey);
  }

  /** The list of `kind` frozen last, whatever its period; null when none was made yet. */
  async latestPlaylist(kind: PlaylistKind): Promise<FrozenPlaylist | null> {
    return this.#shelf.latest(kind);
  }

  /** Freezes a generated list for its period; answers the list that stands (an earlier one of the period wins). */
  async freezePlaylist(list: FrozenPlaylist): Promise<FrozenPlaylist> {
    return this.#shelf.freeze(list);
  }

  /** Every generated list the listener has, each as frozen for its latest period. */
  async generatedPlaylists(): Promise<FrozenPlaylist[]> {
    return this.#shelf.generated();
  }

  /*
   * Own playlists and follows are what the listener made and asked to keep, not anything inferred
   * from their listening, so they stay usable with personalization consent withdrawn (as a saved
   * file stays saved); export lists them and erasure removes them like everything here.
   */

  async ownPlaylists(): Promise<OwnPlaylist[]> {
    return this.#shelf.ownPlaylists();
  }

  async ownPlaylist(id: string): Promise<OwnPlaylist | null> {
    return this.#shelf.ownPlaylist(id);
  }

  async createOwnPlaylist(draft: OwnPlaylistDraft, now = Date.now()): Promise<EditResult> {
    return this.ctx.storage.transactionSync(() => this.#shelf.createOwn(draft, now));
  }

  /** Null when the listener has no playlist of that id. */
  async editOwnPlaylist(id: string, edit: OwnPlaylistEdit, now = Date.now()): Promise<EditResult | null> {
    return this.ctx.storage.transactionSync(() => this.#shelf.editOwn(id, edit, now));
  }

  async deleteOwnPlaylist(id: string): Promise<boolean> {
    return this.#shelf.deleteOwn(id);
  }

  async following(): Promise<{ artistId: string; followedAt: number }[]> {
    return this.#shelf.following();
  }

  async follow(artistId: string, now = Date.now()): Promise<void> {
    this.#shelf.follow(artistId, now);
  }

  async unfollow(artistId: string): Promise<boolean> {
    return this.#shelf.unfollow(artistId);
  }

  /** Keeps a new radio station (forgetting the least recently used beyond the bound). */
  async createStation(station: Station): Promise<void> {
    this.#stations.create(station);
  }

  /** A station with everything it served, or null when the listener has none of that id. */
  async station(id: string): Promise<StationState | null> {
    return this.#stations.station(id);
  }

  /** Appends a page at `offset` unless another was appended there first; answers the tracks standing from it. */
  async extendStation(
    id: string,
    offset: number,
    page: StationTrack[],
    limit: number,
    now = Date.now(),
  ): Promise<StationTrack[] | null> {
    return this.#stations.extend(id, offset, page, limit, now);
  }

  async stations(): Promise<StationState[]> {
    return this.#stations.all();
  }

  /** The position in a list of the track to serve next, moved on past it (at the end: the list's length). */
  async nextInList(listId: string, list: ListOrder, now = Date.now()): Promise<number> {
    return this.#positions.next(listId, list, now);
  }

  async listProgress(): Promise<ListProgress[]> {
    return this.#positions.all();
  }

  /** Remembers the time zone a client sent (if any); answers the last one sent. */
  async timeZone(sent: string | null): Promise<string | null> {
    return this.#shelf.timeZone(sent);
  }

  /** What the outbox holds (for the listener's export): messages D1 is not yet seen to hold, without the pseudonym. */
  async pendingDelivery(): Promise<Omit<QueueMessage, "listener">[]> {
    return this.ctx.storage.sql
      .exec<{ body: string }>(`SELECT body FROM outbox ORDER BY due_at, key`)
      .toArray()
      .map((row) => {
        const { listener: _, ...message } = JSON.parse(row.body) as QueueMessage;
        return message;
      });
  }

  /**
   * Withdrawing personalization also forgets the live session. Events accepted before it stay in the
   * outbox: each was answered 202, so it reaches D1 like the history stored before, which training
   * leaves out while consent is withdrawn. Withdrawing analytics drops undelivered session summaries,
   * and exposures, which are reported only for metrics.
   */
  async setConsent(listener: string, consent: Consent): Promise<Consent> {
    this.#listener = listener;
    this.#consent = consent;
    const sql = this.ctx.storage.sql;
    if (!consent.personalization) {
      this.#state = createSession();
      sql.exec(`DELETE FROM seen_events`);
    }
    if (!consent.analytics) sql.exec(`DELETE FROM outbox WHERE kind IN ('session', 'exposure')`);
    this.#save();
    await this.#schedule();
    return consent;
  }

  /** Erasure: every trace of the listener in this object, storage (the outbox too) and alarm included. */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    this.#alarmAt = null;
    await this.ctx.storage.deleteAll();
    // Empty tables again, for whatever this instance does next (a drain in flight, a later event).
    this.#createTables();
    this.#state = createSession();
    this.#consent = DEFAULT_CONSENT;
    this.#listener = null;
  }

  /**
   * Closes an idle session, forgets old event ids and drains the outbox, then sets the one alarm for
   * whichever comes next. Delivered at least once, and idempotent: closing a closed session does
   * nothing, and what the outbox holds is sent again only as its rows fall due.
   */
  override async alarm(): Promise<void> {
    // The alarm that fired is set no longer.
    this.#alarmAt = null;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.#closeIfIdle(now);
      this.ctx.storage.sql.exec(`DELETE FROM seen_events WHERE seen_at < ?`, now - SEEN_EVENT_RETENTION_MS);
    });
    await this.#drain(now);
    await this.#schedule();
  }

  /** Sends the outbox rows that are due, after clearing those D1 is seen to hold and putting off those the consumer has not reached. */
  async #drain(now: number): Promise<void> {
    const due = this.ctx.storage.sql
      .exec<{ key: string; body: string; attempts: number; dueAt: number; sentAt: number | null }>(
        `SELECT key, body, attempts, due_at AS dueAt, sent_at AS sentAt FROM outbox WHERE due_at <= ? ORDER BY due_at, key LIMIT ?`,
        now,
        DELIVERY_POLICY.rowsPerDrain,
      )
      .toArray();
    if (due.length === 0) return;
    const rows = due.map((row) => ({ ...row, message: JSON.parse(row.body) as QueueMessage }));
    const sent = rows.filter((row) => row.attempts > 0);
    const check =
      sent.length === 0
        ? { delivered: new Set<string>(), progress: null }
        : await checkDelivery(
            this.env.DB,
            sent[0]!.message.listener,
            sent.map((row) => row.message),
          ).catch((error: unknown) => {
            // Unconfirmed is resent: the consumer absorbs a second copy, a lost one would stay lost.
            console.error(JSON.stringify({ msg: "outbox check against D1 failed", error: String(error) }));
            return { delivered: new Set<string>(), progress: null };
          });
    const plan = planDrain(rows, check.delivered, now, check.progress);
    // Rows are marked before the send, so a send that fails is retried when its check falls due. A row
    // deleted meanwhile (consent withdrawn, erasure) is not sent. One statement for each change, not one a row.
    const toSend = this.ctx.storage.transactionSync(() => {
      this.#forKeys(`DELETE FROM outbox`, [], plan.clear);
      for (const [dueAt, wait] of Map.groupBy(plan.wait, (row) => row.dueAt)) {
        this.#forKeys(
          `UPDATE outbox SET due_at = ?`,
          [dueAt],
          wait.map((row) => row.key),
        );
      }
      const marked = new Set<string>();
      // Rows sent as often are due again at the same time.
      for (const group of Map.groupBy(plan.send, (row) => row.attempts).values()) {
        const { attempts, dueAt, sentAt } = group[0]!;
        for (const key of this.#forKeys(
          `UPDATE outbox SET attempts = ?, due_at = ?, sent_at = ?`,
          [attempts, dueAt, sentAt],
          group.map((row) => row.key),
        ))
          marked.add(key);
      }
      return plan.send.filter((row) => marked.has(row.key));
    });
    const resent = toSend.filter((row) => row.attempts > 1).length;
    if (resent > 0) console.log(JSON.stringify({ msg: "outbox resent undelivered messages", count: resent }));
    await this.#send(toSend);
  }

  /**
   * A statement on the outbox rows of `keys`, which it ends with their WHERE clause (all keys in one JSON
   * parameter, however many); answers the keys of the rows it changed.
   */
  #forKeys(statement: string, values: (string | number | null)[], keys: string[]): string[] {
    if (keys.length === 0) return [];
    return this.ctx.storage.sql
      .exec<{ key: string }>(
        `${statement} WHERE key IN (SELECT value FROM json_each(?)) RETURNING key`,
        ...values,
        JSON.stringify(keys),
      )
      .toArray()
      .map((row) => row.key);
  }

  /** Sends outbox rows (one listener's) to the queue, many to a message; a failed send is retried at the rows' check. */
  async #send(rows: readonly { body: string; message: QueueMessage }[]): Promise<void> {
    try {
      for (const batch of sendBatches(rows)) {
        await this.env.EVENTS.sendBatch(
          batch.map((rows) => ({
            body: {
              kind: "batch",
              listener: rows[0]!.message.listener,
              messages: rows.map((row) => row.message),
            } satisfies QueuedBatch,
            contentType: "json",
          })),
        );
      }
    } catch (error) {
      console.error(JSON.stringify({ msg: "outbox send failed; retried at its check", error: String(error) }));
    }
  }

  /** The one alarm, for the earliest of: closing the idle session, the outbox's next due row. */
  async #schedule(): Promise<void> {
    const closeAt =
      this.#state.open && this.#state.lastActivityAt !== null
        ? this.#state.lastActivityAt + DEFAULT_SESSION_CONFIG.idleTimeoutMs
        : null;
    const { due } = this.ctx.storage.sql.exec<{ due: number | null }>(`SELECT min(due_at) AS due FROM outbox`).one();
    const at = nextAlarm(closeAt, due);
    // Most requests find the alarm already set for the check of an earlier send.
    if (at === this.#alarmAt) return;
    await (at === null ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(at));
    this.#alarmAt = at;
  }

  /** Puts a message in the outbox, due at once; a message already there (same key) is kept as it is. */
  #enqueue(message: QueueMessage, now: number): void {
    this.ctx.storage.sql.exec(
      `INSERT OR IGNORE INTO outbox (key, kind, body, attempts, due_at) VALUES (?, ?, ?, 0, ?)`,
      outboxKey(message),
      message.kind,
      JSON.stringify(message),
      now,
    );
  }

  /**
   * Puts messages in the outbox as sent once now, due for their check, in one statement; answers the rows
   * written (a message already there, same key, is kept as it is and not sent).
   */
  #enqueueSent(messages: readonly QueueMessage[], now: number): { body: string; message: QueueMessage }[] {
    if (messages.length === 0) return [];
    const rows = messages.map((message) => ({ key: outboxKey(message), body: JSON.stringify(message), message }));
    const written = new Set(
      this.ctx.storage.sql
        .exec<{ key: string }>(
          `INSERT OR IGNORE INTO outbox (key, kind, body, attempts, due_at, sent_at)
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), 1, ?, ?
           FROM json_each(?) RETURNING key`,
          checkDueAt(now, 1),
          now,
          JSON.stringify(rows.map((row) => [row.key, row.message.kind, row.body])),
        )
        .toArray()
        .map((row) => row.key),
    );
    return rows.filter((row) => written.has(row.key));
  }

  /** Marks event ids seen, in one statement; answers those not seen before. */
  #markSeen(ids: readonly string[], now: number): Set<string> {
    return new Set(
      this.ctx.storage.sql
        .exec<{ eventId: string }>(
          `INSERT OR IGNORE INTO seen_events (event_id, seen_at) SELECT value, ? FROM json_each(?) RETURNING event_id AS eventId`,
          now,
          JSON.stringify(ids),
        )
        .toArray()
        .map((row) => row.eventId),
    );
  }

  /**
   * The order of a list events may name in `context.playlistId`: a generated kind as frozen last,
   * or an own playlist as it stands (its place holds across edits: one period for ever).
   */
  #listOrder(listId: string): ListOrder | null {
    if (!isPlaylistKind(listId)) {
      const own = this.#shelf.ownPlaylist(listId);
      return own && { periodKey: OWN_PLAYLIST_PERIOD, trackIds: own.trackIds };
    }
    const list = this.#shelf.latest(listId);
    return list && { periodKey: list.periodKey, trackIds: list.tracks.map((t) => t.trackId) };
  }

  /** True when it closed the session (its summary is then in the outbox). */
  #closeIfIdle(now: number): boolean {
    const { state, summary } = closeIfIdle(this.#state, now);
    if (!summary || !this.#listener) return false;
    if (this.#consent.analytics) {
      const message: QueuedSessionSummary = { kind: "session", listener: this.#listener, ...summary };
      this.#enqueue(message, now);
    }
    this.#state = state;
    this.#save();
    return true;
  }

  /** One storage transaction: if it throws, storage rolls back, and so does the state held in memory. */
  #transaction<T>(write: () => T): T {
    const before = this.#state;
    try {
      return this.ctx.storage.transactionSync(write);
    } catch (error) {
      this.#state = before;
      throw error;
    }
  }

  #save(): void {
    if (!this.#listener) return;
    this.ctx.storage.sql.exec(
      `INSERT OR REPLACE INTO session (id, listener, state, consent, schema_version) VALUES (1, ?, ?, ?, ?)`,
      this.#listener,
      JSON.stringify(this.#state),
      JSON.stringify(this.#consent),
      SESSION_SCHEMA_VERSION,
    );
  }
}
