import type { ReadModelDb } from './readModelDb.ts';
import type { View } from './view.ts';

/**
 * One row per view: the store position of the next event it has not applied, and the view version the
 * rows were built by. Lives in the same database as the read models and is written in the same
 * transaction as the rows, so the two can never disagree.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_checkpoints (
  view     TEXT PRIMARY KEY,
  position INTEGER NOT NULL,   -- next store position to apply (everything before it is in the rows)
  version  INTEGER NOT NULL
) STRICT;
`;

export function ensureCheckpointTable(db: ReadModelDb): void {
  db.exec(SCHEMA);
}

/** Any number: the advisory lock that serializes read-model batches of every process on one database. */
const BATCH_LOCK = 0x726d5f62; // 'rm_b'

/**
 * Called first in every batch transaction. On PostgreSQL several ledger processes may share the read
 * models: a transaction-scoped advisory lock makes their batches take turns (released at COMMIT or
 * ROLLBACK). On SQLite nothing to do: one connection, and the runner's transactions never interleave.
 */
export function lockCheckpoints(db: ReadModelDb): void {
  if (db.kind === 'postgres') db.get('SELECT pg_advisory_xact_lock(?)', BATCH_LOCK);
}

export function readCheckpoint(
  db: ReadModelDb,
  view: string,
): { position: number; version: number } | undefined {
  return db.get<{ position: number; version: number }>(
    'SELECT position, version FROM rm_checkpoints WHERE view = ?',
    view,
  );
}

export function writeCheckpoint(db: ReadModelDb, view: string, position: number, version: number): void {
  db.run(
    `INSERT INTO rm_checkpoints (view, position, version) VALUES (?, ?, ?)
     ON CONFLICT (view) DO UPDATE SET position = excluded.position, version = excluded.version`,
    view,
    position,
    version,
  );
}

/**
 * Removes a view's checkpoint: its rows are then in no state a runner may resume from, and the next
 * runner to open the database rebuilds the view from zero (a rebuild does this while it holds rows).
 */
export function clearCheckpoint(db: ReadModelDb, view: string): void {
  db.run('DELETE FROM rm_checkpoints WHERE view = ?', view);
}

/** Drops and recreates a view's tables and sets its checkpoint to 0, in one transaction. */
export function resetView(db: ReadModelDb, view: View): void {
  db.transaction(() => {
    for (const t of view.tables) db.exec(`DROP TABLE IF EXISTS ${t}`);
    db.exec(view.schema);
    writeCheckpoint(db, view.name, 0, view.version);
  });
}
