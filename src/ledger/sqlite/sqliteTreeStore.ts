import Database from 'better-sqlite3';
import type { SignedCheckpointRecord } from '../checkpoint.ts';
import type { Hash, NodeId } from '../merkle.ts';
import type { LeafBatch, LogState, TreeStore } from '../treeStore.ts';

type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_tree_nodes (
  level INTEGER NOT NULL,           -- 0 = leaf hash; l covers leaves [idx·2^l, (idx+1)·2^l)
  idx   INTEGER NOT NULL,
  hash  BLOB    NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID, STRICT;
CREATE TABLE IF NOT EXISTS ledger_leaves (
  idx      INTEGER PRIMARY KEY,     -- leaf index (dense)
  position INTEGER NOT NULL         -- the event's position in the store's total order
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_log_state (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  size   INTEGER NOT NULL,
  cursor INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_checkpoints (
  size      INTEGER PRIMARY KEY,
  root      BLOB    NOT NULL,
  note      TEXT    NOT NULL,
  signed_at TEXT    NOT NULL
) STRICT;
`;

/**
 * The tree in SQLite. Given the event store's connection (`store.db`) its tables live in the same file
 * and its writes are short synchronous transactions on that one connection, which cannot interleave
 * with the store's group commit (better-sqlite3 is synchronous). Given a path it opens its own file.
 */
export function openSqliteTreeStore(dbOrFile: Db | string): TreeStore & { readonly db: Db; close(): void } {
  const ownDb = typeof dbOrFile === 'string';
  const db = ownDb ? new Database(dbOrFile) : dbOrFile;
  if (ownDb) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
  }
  db.exec(SCHEMA);
  const stmt = {
    node: db.prepare('SELECT hash FROM ledger_tree_nodes WHERE level = ? AND idx = ?').pluck(),
    nodeRange: db
      .prepare('SELECT hash FROM ledger_tree_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx')
      .pluck(),
    positions: db
      .prepare('SELECT position FROM ledger_leaves WHERE idx >= ? AND idx < ? ORDER BY idx')
      .pluck(),
    insertNode: db.prepare('INSERT INTO ledger_tree_nodes (level, idx, hash) VALUES (?, ?, ?)'),
    insertLeaf: db.prepare('INSERT INTO ledger_leaves (idx, position) VALUES (?, ?)'),
    state: db.prepare('SELECT size, cursor FROM ledger_log_state WHERE id = 1'),
    setState: db.prepare(
      'INSERT INTO ledger_log_state (id, size, cursor) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, cursor = excluded.cursor',
    ),
    latest: db.prepare('SELECT size, root, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1'),
    all: db.prepare('SELECT size, root, note FROM ledger_checkpoints ORDER BY size'),
    record: db.prepare('INSERT INTO ledger_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)'),
  };
  const asHash = (b: Buffer): Hash => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const toRecord = (r: { size: number; root: Buffer; note: string }): SignedCheckpointRecord => ({
    size: r.size,
    root: asHash(r.root),
    note: r.note,
  });

  const readNode = (level: number, index: number): Hash => {
    const h = stmt.node.get(level, index) as Buffer | undefined;
    if (!h) throw new RangeError(`tree node (${level}, ${index}) is not stored`);
    return asHash(h);
  };

  const appendBatch = db.transaction((batch: LeafBatch) => {
    for (const n of batch.nodes) stmt.insertNode.run(n.level, n.index, n.hash);
    for (const l of batch.leaves) stmt.insertLeaf.run(l.index, l.position);
    stmt.setState.run(batch.state.size, batch.state.cursor);
  });

  return {
    db,
    state(): LogState {
      return (stmt.state.get() as LogState | undefined) ?? { size: 0, cursor: 0 };
    },
    readNode,
    readNodes: (nodes: readonly NodeId[]) => nodes.map((n) => readNode(n.level, n.index)),
    leafHashes: (start, end) => (stmt.nodeRange.all(0, start, end) as Buffer[]).map(asHash),
    leafPositions: (start, end) => stmt.positions.all(start, end) as number[],
    appendBatch: (batch) => appendBatch(batch),
    checkpoints: () => (stmt.all.all() as { size: number; root: Buffer; note: string }[]).map(toRecord),
    latest() {
      const r = stmt.latest.get() as { size: number; root: Buffer; note: string } | undefined;
      return r && toRecord(r);
    },
    record(cp) {
      stmt.record.run(cp.size, cp.root, cp.note, new Date().toISOString());
    },
    close() {
      if (ownDb) db.close();
    },
  };
}
