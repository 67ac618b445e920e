import type { EventToAppend, PositionedEvent } from '../../events/envelope.ts';
import { eventFromRow, type StoredRow } from '../storedRow.ts';
import { LedgerError, isLedgerError } from '../../errors.ts';
import { checkExpectedRevision, matchRetry, type StoredById } from '../appendRules.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
} from '../eventStore.ts';
import { Listeners } from '../listeners.ts';
import { RecentCommits } from '../recentCommits.ts';
import { validateAppend, validateStreamName, type ValidatedAppend } from '../validateAppend.ts';
import { openSqliteDatabase, type SqliteDatabase } from './database.ts';
import { describeSqliteFailure } from './failure.ts';

/**
 * The embedded default store: one SQLite file, WAL, synchronous=FULL, ONE writer connection.
 *
 * Group commit: better-sqlite3 is synchronous, so an append only queues itself; the queue is flushed on
 * the next turn of the event loop (setImmediate), by then every append that arrived in the meantime
 * (including while the previous COMMIT was fsyncing and blocking the loop) is waiting. One flush is one
 * transaction: each append runs inside its own SAVEPOINT, so a conflict or an id clash rolls back that
 * append alone; then one COMMIT (one WAL fsync) makes the whole batch durable, and only then is each
 * append's promise settled. Global positions are the table's INTEGER PRIMARY KEY, allocated 0, 1, 2, …
 * by the single writer inside the transaction, so they are dense and in commit order.
 */

export interface SqliteEventStore extends EventStore {
  readonly kind: 'sqlite';
  /** The file this store lives in. */
  readonly file: string;
  /**
   * The store's one connection. Other modules (projections, the Merkle log) may create their own tables
   * in it and write in their own transactions (`db.transaction(fn)()`, synchronous: it can never
   * interleave with the store's batch). Never hold a transaction open across an `await`, and never
   * write to the `events` table.
   */
  readonly db: SqliteDatabase;
  /**
   * `readAll` without the promise, on the same connection: for work that must read the log inside one
   * of its own synchronous transactions on `db` (a projection rebuild applies a span of pages in one).
   */
  readAllSync(options?: ReadAllOptions): ReadAllPage;
}

export interface SqliteEventStoreOptions {
  /** Path of the database file (created with its directory if missing), or ':memory:' for tests. */
  file: string;
  /** Most appends per group commit (default 1000); more wait for the next one. */
  maxBatch?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,        -- global position: 0-based, dense, commit order
  stream   TEXT    NOT NULL,
  revision INTEGER NOT NULL,           -- 0-based within the stream
  id       TEXT    NOT NULL UNIQUE,    -- event id (UUIDv7)
  body     TEXT    NOT NULL,           -- RFC 8785 canonical JSON of {id, type, schemaVersion, data, meta}
  UNIQUE (stream, revision)
) STRICT;
-- Earlier versions indexed keyed commands' events by key here; the command path now knows a stream's keys
-- from its folded state (src/api/commands/stateCache.ts), and the index cost a page write per keyed append.
DROP INDEX IF EXISTS events_idempotency_key;
`;

/** The log in position order (also read by `openSqliteLogReader` and, in plain JS, readAheadWorker.mjs). */
export const READ_ALL_SQL =
  'SELECT position, stream, revision, body FROM events WHERE position >= ? ORDER BY position LIMIT ?';
export const HEAD_SQL = 'SELECT coalesce(max(position) + 1, 0) FROM events';

const MAX_BATCH_BYTES = 64 * 1024 * 1024;
/** Streams whose last revision the writer keeps in memory (~100 B each). */
const REVISIONS_KEPT = 100_000;

interface Pending {
  append: ValidatedAppend;
  bytes: number;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

const unavailable = (message: string, cause?: unknown) =>
  new LedgerError('LL_STORE_UNAVAILABLE', message, {}, { cause });

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const maxBatch = options.maxBatch ?? 1000;
  const db = openSqliteDatabase(options.file);
  db.exec(SCHEMA);

  const stmt = {
    head: db.prepare(HEAD_SQL).pluck(),
    revision: db.prepare('SELECT max(revision) FROM events WHERE stream = ?').pluck(),
    byId: db.prepare('SELECT stream, revision, position, body FROM events WHERE id = ?'),
    insert: db.prepare('INSERT INTO events (position, stream, revision, id, body) VALUES (?, ?, ?, ?, ?)'),
    readStream: db
      .prepare(
        'SELECT position, stream, revision, body FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
      )
      .raw(),
    readAll: db.prepare(READ_ALL_SQL).raw(),
    // Changes when another connection commits to the file (not for this one's own commits).
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    savepoint: db.prepare('SAVEPOINT append'),
    release: db.prepare('RELEASE append'),
    rollbackTo: db.prepare('ROLLBACK TO append'),
  };

  const listeners = new Listeners();
  const recent = new RecentCommits();
  /** data_version right after this connection's last commit of events. */
  let versionAtCommit: unknown;
  /**
   * Streams' last revisions as this connection wrote them, so an append takes its stream's
   * revision from memory instead of `SELECT max(revision)` (~2 µs an append). Valid only while no other
   * connection has committed to the file: every batch compares `PRAGMA data_version` (which moves only
   * for other connections' commits) with the value its previous batch saw, under the write lock, and
   * empties the map when it moved; a batch that fails empties it too. Bounded: the oldest entry goes
   * first, and a stream not in it costs the SELECT.
   */
  const revisions = new Map<string, number>();
  let versionSeen: unknown;
  let queue: Pending[] = [];
  let scheduled = false;
  let closed = false;

  /** The stored events with this append's ids, for matchRetry. */
  const storedWithIds = (a: ValidatedAppend) =>
    a.events.map((e) => stmt.byId.get(e.id) as StoredById | undefined);

  /**
   * One append inside the batch transaction (inside its SAVEPOINT when `inSavepoint`, see `flush`); returns
   * its result and how many events it added. The common case costs two statements per event plus one: the stream's revision, then the
   * inserts. Ids are looked up only when something is off: the revision differs (maybe a retry of an
   * append already stored) or an insert hits the id's UNIQUE constraint; matchRetry then decides exactly
   * as if it had looked first (the original result, or LL_EVENT_ID_CONFLICT).
   */
  const applyOne = (
    a: ValidatedAppend,
    head: number,
    rows: StoredRow[],
    inSavepoint: boolean,
  ): [AppendResult, number] => {
    const ids = a.events.map((e) => e.id);
    const current = revisions.get(a.stream) ?? (stmt.revision.get(a.stream) as number | null) ?? undefined;
    try {
      checkExpectedRevision(a.stream, a.expectedRevision, current);
    } catch (conflict) {
      const retry = matchRetry(a.stream, a.expectedRevision, ids, a.bodies, storedWithIds(a));
      if (retry) return [retry, 0];
      throw conflict;
    }
    const first = current === undefined ? 0 : current + 1;
    const positions: number[] = [];
    try {
      for (let i = 0; i < a.events.length; i++) {
        stmt.insert.run(head + i, a.stream, first + i, ids[i]!, a.bodies[i]!);
        positions.push(head + i);
      }
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE' || !db.inTransaction) throw error;
      // Undo this append's inserts before answering from what is stored (one failed insert undid itself).
      if (inSavepoint) stmt.rollbackTo.run();
      const retry = matchRetry(a.stream, a.expectedRevision, ids, a.bodies, storedWithIds(a));
      if (retry) return [retry, 0];
      throw error;
    }
    for (let i = 0; i < a.events.length; i++) rows.push([head + i, a.stream, first + i, a.bodies[i]!]);
    return [{ nextExpectedRevision: first + a.events.length - 1, positions }, a.events.length];
  };

  const rememberRevision = (stream: string, revision: number): void => {
    revisions.delete(stream); // re-inserted last: the map's order is the order of use
    revisions.set(stream, revision);
    if (revisions.size > REVISIONS_KEPT) revisions.delete(revisions.keys().next().value!);
  };

  const rollbackQuietly = (): void => {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // still in the transaction: the next flush tries again
    }
  };

  const flush = (): void => {
    scheduled = false;
    let take = 0;
    let bytes = 0;
    while (
      take < queue.length &&
      take < maxBatch &&
      (take === 0 || bytes + queue[take]!.bytes <= MAX_BATCH_BYTES)
    ) {
      bytes += queue[take]!.bytes;
      take++;
    }
    const batch = queue.slice(0, take);
    queue = queue.slice(take);
    if (queue.length > 0) schedule();
    if (batch.length === 0) return;

    const outcomes: ({ ok: true; result: AppendResult } | { ok: false; error: unknown })[] = [];
    let written = 0;
    /** The rows this batch inserted, in position order (kept for followers once committed). */
    const rows: StoredRow[] = [];
    try {
      rollbackQuietly();
      db.exec('BEGIN IMMEDIATE');
      const version = stmt.dataVersion.get();
      if (version !== versionSeen) revisions.clear(); // another connection committed since: forget all
      versionSeen = version;
      let head = stmt.head.get() as number;
      for (const p of batch) {
        // Each append succeeds or fails alone within the batch. One event is one INSERT, and a failed
        // statement undoes itself (SQLite's ABORT), so only an append of several events needs a savepoint
        // to be undone whole: two statements less per command (1.7 µs an append, plain better-sqlite3 loop).
        const inSavepoint = p.append.events.length > 1;
        if (inSavepoint) stmt.savepoint.run();
        const rowsBefore = rows.length;
        try {
          const [result, added] = applyOne(p.append, head, rows, inSavepoint);
          if (inSavepoint) stmt.release.run();
          if (added > 0) rememberRevision(p.append.stream, result.nextExpectedRevision);
          head += added;
          written += added;
          outcomes.push({ ok: true, result });
        } catch (error) {
          if (!db.inTransaction) throw error; // SQLite aborted the whole transaction (I/O error, disk full)
          rows.length = rowsBefore;
          if (inSavepoint) {
            stmt.rollbackTo.run();
            stmt.release.run();
          }
          outcomes.push({
            ok: false,
            error: isLedgerError(error)
              ? error
              : unavailable(`append failed: ${describeSqliteFailure(error)}`, error),
          });
        }
      }
      db.exec('COMMIT');
      recent.add(rows);
      // Read under this batch's write lock, so no other connection has committed since: the same value.
      if (rows.length > 0) versionAtCommit = version;
    } catch (error) {
      // A failing disk can fail the ROLLBACK too: never let that escape this setImmediate callback
      // (it would kill the process); the next flush rolls back first.
      rollbackQuietly();
      revisions.clear(); // it may hold revisions this batch wrote and did not commit
      const e = unavailable(`the SQLite store could not commit: ${describeSqliteFailure(error)}`, error);
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.result);
      else p.reject(o.error);
    });
    if (written > 0) listeners.notify();
  };

  function schedule(): void {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }

  const readAllSync = (opts: ReadAllOptions = {}): ReadAllPage => {
    const from = opts.fromPosition ?? 0;
    const max = opts.max ?? 1000;
    if (opts.recent) {
      const known = recent.eventsFrom(from, max);
      if (known) return { events: known, nextPosition: known[known.length - 1]!.position + 1 };
      // A follower that has read everything asks once more: the end of our last commit is the end of
      // the table unless another connection committed since (one pragma instead of a query, ~10 µs).
      if (recent.endsAt(from) && stmt.dataVersion.get() === versionAtCommit)
        return { events: [], nextPosition: from };
    }
    const events = (stmt.readAll.all(from, max) as StoredRow[]).map(eventFromRow);
    return { events, nextPosition: events.length > 0 ? events[events.length - 1]!.position + 1 : from };
  };

  const store: SqliteEventStore = {
    kind: 'sqlite',
    file: options.file,
    db,

    appendToStream(stream: string, events: EventToAppend[], opts?: AppendOptions): Promise<AppendResult> {
      let append: ValidatedAppend;
      try {
        append = validateAppend(stream, events, opts);
      } catch (error) {
        return Promise.reject(error);
      }
      if (closed) return Promise.reject(unavailable('the SQLite store is closed'));
      return new Promise<AppendResult>((resolve, reject) => {
        const bytes = append.bodies.reduce((n, b) => n + b.length, 0);
        queue.push({ append, bytes, resolve, reject });
        schedule();
      });
    },

    async readStream(stream: string, opts: ReadStreamOptions = {}): Promise<PositionedEvent[]> {
      const name = validateStreamName(stream);
      const rows = stmt.readStream.all(name, opts.from ?? 0, opts.max ?? -1) as StoredRow[];
      return rows.map(eventFromRow);
    },

    async streamRevision(stream: string): Promise<number | undefined> {
      const r = stmt.revision.get(validateStreamName(stream)) as number | null;
      return r ?? undefined;
    },

    readAllSync,

    async readAll(opts?: ReadAllOptions): Promise<ReadAllPage> {
      return readAllSync(opts);
    },

    async headPosition(): Promise<number> {
      return stmt.head.get() as number;
    },

    onAppended: (listener) => listeners.add(listener),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      while (queue.length > 0) flush(); // settle what was accepted before close
      db.close();
    },
  };
  return store;
}
