import Database from 'better-sqlite3';
import {
  allViews,
  createProjectionRunner,
  postgresReadModelDb,
  sqliteReadModelDb,
} from '../../../projections/index.ts';
import type { EventStore } from '../../../src/store/eventStore.ts';
import { dumpViews } from '../../projections/dump.ts';

/** Where the running server keeps its read models. */
export type ServedReadModels = { file: string } | { databaseUrl: string };

/** The served read models' rows, through a connection of our own (read-only on SQLite). */
async function dumpServed(where: ServedReadModels): Promise<Record<string, string[]>> {
  if ('databaseUrl' in where) {
    const db = postgresReadModelDb(where.databaseUrl);
    try {
      return dumpViews(db, allViews);
    } finally {
      await db.close();
    }
  }
  const live = new Database(where.file, { readonly: true, fileMustExist: true });
  try {
    return dumpViews(sqliteReadModelDb(live), allViews);
  } finally {
    live.close();
  }
}

/**
 * The running server's read models (its SQLite file, or its PostgreSQL database) against a clean
 * rebuild of every view from the store into a fresh SQLite database (both engines give the same rows,
 * test/projections/postgresReadModels.test.ts). Returns the names of the tables that differ (empty:
 * equal) and the number of rows compared.
 */
export async function compareWithRebuild(
  where: ServedReadModels,
  store: EventStore,
): Promise<{ differing: string[]; rows: number }> {
  const served = await dumpServed(where);
  const fresh = new Database(':memory:');
  try {
    const db = sqliteReadModelDb(fresh);
    const runner = createProjectionRunner({ store, db, views: allViews });
    await runner.catchUp();
    const clean = dumpViews(db, allViews);
    const differing = Object.keys(clean).filter(
      (t) => JSON.stringify(clean[t]) !== JSON.stringify(served[t]),
    );
    const rows = Object.values(clean).reduce((n, r) => n + r.length, 0);
    return { differing, rows };
  } finally {
    fresh.close();
  }
}
