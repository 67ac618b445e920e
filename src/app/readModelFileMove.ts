import type { SqliteDatabase } from '../store/sqlite/database.ts';

/** The tables of the webhook dispatcher: not views (nothing rebuilds them), so they are carried over. */
const CARRIED = ['webhook_endpoints', 'webhook_deliveries'] as const;

/**
 * Until 2026-11-28 the embedded store kept its read models in its own file, `ledger.db`; they now live in
 * `readmodels.db`, written by the projection thread (docs/projections.md, "The projection thread"). The
 * views rebuild themselves there from the events. What is not derived from events moves here, once: the
 * webhook endpoints (with the signing secrets, which are never put into events) and the delivery
 * records (so nothing delivered before is sent again). Then the old read-model tables are dropped from
 * the store's file, so a deleted `readmodels.db` can never be refilled from stale copies.
 *
 * Call it at start, before anything is appended or served, after the dispatcher and the endpoint
 * registry have created their tables in `readmodels.db`. One transaction: all of it or none.
 */
export function moveReadModelsOutOfStoreFile(
  storeDb: SqliteDatabase,
  readModelFile: string,
  viewTables: readonly string[],
): { moved: Record<string, number> } {
  const tableIn = (schema: string, table: string) =>
    storeDb.prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE type = 'table' AND name = ?`).get(table) !==
    undefined;
  const old = [...CARRIED, ...viewTables, 'rm_checkpoints'].filter((t) => tableIn('main', t));
  const moved: Record<string, number> = {};
  if (old.length === 0) return { moved };
  storeDb.prepare('ATTACH DATABASE ? AS moved').run(readModelFile);
  try {
    storeDb
      .transaction(() => {
        for (const table of CARRIED) {
          if (!old.includes(table)) continue;
          if (!tableIn('moved', table)) throw new Error(`${table} is missing from ${readModelFile}`);
          // By name: the old table may have its columns in another order (added by ALTER TABLE).
          const columns = (storeDb.pragma(`main.table_info(${table})`) as { name: string }[])
            .map((c) => `"${c.name}"`)
            .join(', ');
          moved[table] = storeDb
            .prepare(`INSERT OR IGNORE INTO moved.${table} (${columns}) SELECT ${columns} FROM main.${table}`)
            .run().changes;
        }
        for (const table of old) storeDb.exec(`DROP TABLE main.${table}`);
      })
      .immediate();
  } finally {
    storeDb.exec('DETACH DATABASE moved');
  }
  return { moved };
}
