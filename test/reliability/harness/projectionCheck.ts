import Database from 'better-sqlite3';
import { allViews, createProjectionRunner, sqliteReadModelDb } from '../../../projections/index.ts';
import type { EventStore } from '../../../src/store/eventStore.ts';
import { dumpViews } from '../../projections/dump.ts';

/**
 * The running server's read models (read from its SQLite file by a separate read-only connection)
 * against a clean rebuild of every view from the store into a fresh database. Returns the names of
 * the tables that differ (empty: equal) and the number of rows compared.
 */
export async function compareWithRebuild(
  readModelFile: string,
  store: EventStore,
): Promise<{ differing: string[]; rows: number }> {
  const live = new Database(readModelFile, { readonly: true, fileMustExist: true });
  let served: Record<string, string[]>;
  try {
    served = dumpViews(sqliteReadModelDb(live), allViews);
  } finally {
    live.close();
  }
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
