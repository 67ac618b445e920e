import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../src/store/sqlite/database.ts';
import { isWriteUnavailable } from '../src/store/sqlite/failure.ts';

/** A bound SQL parameter: read models hold text, integers (fen, counts) and nulls only. */
export type SqlValue = string | number | bigint | null;

/**
 * Where read models live. Views write through this small interface (plain SQL with `?` parameters)
 * rather than through better-sqlite3 directly, so PostgreSQL can be put behind it (the SQL is
 * rewritten for it in one place, postgresDialect.ts). It is
 * synchronous on purpose: a batch of events is applied and the checkpoint advanced inside ONE
 * transaction that must never be interleaved with another writer on the same connection (the SQLite
 * store's group commit shares it), and a synchronous transaction cannot be.
 */
export interface ReadModelDb {
  /** 'postgres': `postgresReadModelDb` (same interface, a worker's connection, see postgresReadModelDb.ts). */
  readonly kind: 'sqlite' | 'postgres';
  /** DDL or other statements without parameters. */
  exec(sql: string): void;
  run(sql: string, ...params: SqlValue[]): number; // rows changed
  get<T = Record<string, SqlValue>>(sql: string, ...params: SqlValue[]): T | undefined;
  all<T = Record<string, SqlValue>>(sql: string, ...params: SqlValue[]): T[];
  /** Runs fn in one transaction: all its writes commit together or none does. */
  transaction<T>(fn: () => T): T;
}

/**
 * The SQLite read-model database. Pass the embedded store's own connection (`store.db`) so read models
 * and their checkpoints live in the same file as the events; or any other better-sqlite3 connection.
 */
export function sqliteReadModelDb(db: SqliteDatabase): ReadModelDb {
  const cache = new Map<string, Statement<unknown[]>>();
  const prep = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare<unknown[]>(sql);
      cache.set(sql, s);
    }
    return s;
  };
  return {
    kind: 'sqlite',
    exec: (sql) => void db.exec(sql),
    run: (sql, ...params) => prep(sql).run(...params).changes,
    get: <T>(sql: string, ...params: SqlValue[]) => prep(sql).get(...params) as T | undefined,
    all: <T>(sql: string, ...params: SqlValue[]) => prep(sql).all(...params) as T[],
    // IMMEDIATE: a batch reads its checkpoints, then writes. Begun deferred, it would take a read
    // snapshot first, and a commit by another connection in between (the request thread's, or a
    // webhook's) would make its first write fail at once with SQLITE_BUSY_SNAPSHOT instead of waiting.
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
  };
}

/**
 * True for an error of the database being unavailable (a PostgreSQL restart, a dropped connection, a
 * full or read-only disk), not of a statement: the runner retries the batch later instead of stopping
 * the view.
 */
export const isTransientDbError = (e: unknown): boolean =>
  (typeof e === 'object' && e !== null && (e as { transient?: unknown }).transient === true) ||
  // Another connection held the file's write lock past the busy timeout: wait and retry, do not stop.
  String((e as { code?: unknown } | null)?.code).startsWith('SQLITE_BUSY') ||
  // A full, read-only or failing disk under SQLite passes too: the batch rolled back, retry it later
  // rather than stop the view until a restart.
  isWriteUnavailable(e);
