import { inject } from 'vitest';
import { postgresReadModelDb } from '../../projections/postgresReadModelDb.ts';
import { sqliteReadModelDb, type ReadModelDb } from '../../projections/readModelDb.ts';
import type { SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { createDatabase } from '../support/postgresServer.ts';

/** The two read-model engines every view test runs on. */
export const engines = ['sqlite', 'postgres'] as const;
export type Engine = (typeof engines)[number];

let databases = 0;

/**
 * Read models for `store`'s events: in its own SQLite file, or in a fresh database of the globalSetup
 * PostgreSQL (`inject('postgresUrl')`). `close` ends the PostgreSQL connection (the store is the caller's).
 */
export async function openReadModels(
  engine: Engine,
  store: SqliteEventStore,
): Promise<{ db: ReadModelDb; url?: string; close(): Promise<void> }> {
  if (engine === 'sqlite') return { db: sqliteReadModelDb(store.db), close: async () => undefined };
  const url = await createDatabase(
    inject('postgresUrl'),
    `rm_${process.pid}_${Date.now().toString(36)}_${databases++}`,
  );
  const db = postgresReadModelDb(url);
  return { db, url, close: () => db.close() };
}
