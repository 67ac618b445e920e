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
