import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Opens a SQLite file with the ledger's settings: WAL (readers never block the writer), synchronous=FULL
 * (a COMMIT that returned is on disk), a busy timeout for a second process. The event store opens its one
 * writer connection with this; other modules that keep tables in the same file should normally use the
 * store's own connection (`store.db`) rather than a second one, see docs/storage.md.
 */
/**
 * Runs a write transaction of DERIVED data (Merkle tree nodes, read models and their checkpoints) with
 * synchronous=NORMAL: its COMMIT does not wait for an fsync on the request thread; the next event
 * append's COMMIT (synchronous=FULL) fsyncs the WAL, and with it every frame before. Safe because the
 * data is derived from events that were durable before it was computed: a process crash loses nothing
 * (the OS holds the writes), and a power loss can only roll such a transaction back whole, checkpoint
 * included, so its follower re-derives it from the events (the Merkle tree to the same roots, the views
 * exactly once). Never for events, anchor records or anything not derivable from the events.
 */
export function derivedWrite<T>(db: SqliteDatabase, fn: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return fn();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

export function openSqliteDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -65536'); // 64 MiB page cache
  return db;
}
