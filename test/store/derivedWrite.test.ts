import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteReadModelDb } from '../../projections/readModelDb.ts';
import { openSqliteTreeStore } from '../../src/ledger/sqlite/sqliteTreeStore.ts';
import { derivedWrite, openSqliteDatabase } from '../../src/store/sqlite/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'derived-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// PRAGMA synchronous: 1 = NORMAL (commit without fsync in WAL mode), 2 = FULL (fsync at every commit).
const level = (db: ReturnType<typeof openSqliteDatabase>) => db.pragma('synchronous', { simple: true });

describe('derivedWrite: derived data commits without an fsync, events keep theirs', () => {
  it('runs the transaction at NORMAL and puts the connection back to FULL, also when it throws', () => {
    const db = openSqliteDatabase(join(dir, 'a.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal'); // NORMAL is only safe in WAL mode
    expect(level(db)).toBe(2);
    expect(derivedWrite(db, () => level(db))).toBe(1);
    expect(level(db)).toBe(2);
    expect(() =>
      derivedWrite(db, () => {
        throw new Error('view failed');
      }),
    ).toThrow('view failed');
    expect(level(db)).toBe(2);
    db.close();
  });

  it('is what read-model transactions and Merkle tree batches use; the connection is FULL again for the next append', () => {
    const db = openSqliteDatabase(join(dir, 'b.db'));
    const readModels = sqliteReadModelDb(db);
    expect(readModels.transaction(() => level(db))).toBe(1);
    const tree = openSqliteTreeStore(db);
    const seen: unknown[] = [];
    const pragma = db.pragma.bind(db);
    db.pragma = ((source: string, options?: { simple?: boolean }) => {
      if (source.startsWith('synchronous =')) seen.push(source);
      return pragma(source, options);
    }) as typeof db.pragma;
    tree.appendBatch({ nodes: [], leaves: [{ index: 0, position: 0 }], state: { size: 1, cursor: 1 } });
    expect(seen).toEqual(['synchronous = NORMAL', 'synchronous = FULL']);
    expect(level(db)).toBe(2);
    db.close();
  });
});
