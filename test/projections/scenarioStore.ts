import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allViews, createProjectionRunner, sqliteReadModelDb } from '../../projections/index.ts';
import type { ReadModelDb } from '../../projections/readModelDb.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { appendAll } from './fixtures.ts';
import { scenario } from './scenario.ts';

export interface ScenarioStore {
  dir: string;
  store: SqliteEventStore;
  /** The read models, in the store's own file, caught up with every event of the scenario. */
  db: ReadModelDb;
  /** Closes the store and removes the directory. */
  close(): Promise<void>;
}

/** The hand-checked scenario (scenario.ts) in a fresh embedded store under a temporary directory. */
export async function scenarioStore(prefix: string): Promise<ScenarioStore> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  await appendAll(store, scenario());
  const db = sqliteReadModelDb(store.db);
  await createProjectionRunner({ store, db, views: allViews }).catchUp();
  return {
    dir,
    store,
    db,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
