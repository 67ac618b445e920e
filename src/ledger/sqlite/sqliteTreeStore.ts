import Database from 'better-sqlite3';
import type { SignedCheckpointRecord } from '../checkpoint.ts';
import type { Hash, NodeId } from '../merkle.ts';
import type { LeafBatch, LogState, TreeStore } from '../treeStore.ts';

type Db = Database.Database;

const CACHED_LEVEL = 6;
/**
 * At most this many cached upper nodes (~220 B of heap each: ~22 MiB), which covers every upper node of
 * the first ~3.2 million leaves; past that the oldest cached go first. Unbounded, the cache grew by
 * ~7 MiB per million events for as long as the process ran (found by heap snapshots in the soak).
 */
const CACHE_ENTRIES = 100_000;

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
export function openSqliteTreeStore(
  dbOrFile: Db | string,
  options: { cacheEntries?: number } = {},
): TreeStore & { readonly db: Db; close(): void } {
  const cacheEntries = options.cacheEntries ?? CACHE_ENTRIES;
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

  // Nodes at level ≥ CACHED_LEVEL (one per 2^CACHED_LEVEL leaves: ~2 % of the tree) stay in memory once
  // read or written; they are immutable, so the cache never goes stale. The rest of a proof is one
  // statement instead of ~log2(n) point reads, because per-statement overhead dominates.
  const cache = new Map<number, Hash>();
  const cacheKey = (level: number, index: number) => index * 64 + level;
  const remember = (key: number, hash: Hash) => {
    cache.set(key, hash);
    if (cache.size > cacheEntries) cache.delete(cache.keys().next().value!);
  };
  const batchStmts = new Map<number, Database.Statement>();
  const readNodes = (all: readonly NodeId[]): Hash[] => {
    const out: (Hash | undefined)[] = all.map((n) =>
      n.level >= CACHED_LEVEL ? cache.get(cacheKey(n.level, n.index)) : undefined,
    );
    const nodes = all.filter((_, i) => out[i] === undefined);
    const fetched = fetchNodes(nodes);
    let k = 0;
    return out.map((h, i) => {
      if (h) return h;
      const f = fetched[k++] as Hash;
      const n = all[i] as NodeId;
      if (n.level >= CACHED_LEVEL) remember(cacheKey(n.level, n.index), f);
      return f;
    });
  };
  const fetchNodes = (nodes: readonly NodeId[]): Hash[] => {
    if (nodes.length === 0) return [];
    if (nodes.length === 1) return [readNode(nodes[0]!.level, nodes[0]!.index)];
    let st = batchStmts.get(nodes.length);
    if (!st) {
      const values = Array.from({ length: nodes.length }, () => '(?, ?)').join(', ');
      st = db.prepare(
        `SELECT level, idx, hash FROM ledger_tree_nodes WHERE (level, idx) IN (VALUES ${values})`,
      );
      batchStmts.set(nodes.length, st);
    }
    const args: number[] = [];
    for (const n of nodes) args.push(n.level, n.index);
    const found = new Map<string, Buffer>();
    for (const r of st.all(...args) as { level: number; idx: number; hash: Buffer }[])
      found.set(`${r.level}/${r.idx}`, r.hash);
    return nodes.map((n) => {
      const h = found.get(`${n.level}/${n.index}`);
      if (!h) throw new RangeError(`tree node (${n.level}, ${n.index}) is not stored`);
      return asHash(h);
    });
  };

  const appendBatchTx = db.transaction((batch: LeafBatch) => {
    for (const n of batch.nodes) stmt.insertNode.run(n.level, n.index, n.hash);
    for (const l of batch.leaves) stmt.insertLeaf.run(l.index, l.position);
    stmt.setState.run(batch.state.size, batch.state.cursor);
  });
  // The tree is derived data: every leaf is re-derived from the store by MerkleLog.open (verify, then
  // catch up), so its transaction needs no fsync of its own. On the store's connection the next group
  // commit's fsync of the same WAL makes these frames durable (WAL frames are written in order). A power
  // cut before that loses at most this tail of the tree (a killed process loses nothing: the frames are
  // written), and the next start rebuilds it to the same hashes. One fsync less per group commit: +7 %
  // commands/s on average over four alternated pairs on the real server (docs/perf.md).
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  const noFsync = db.prepare('PRAGMA synchronous = NORMAL');
  const restoreSynchronous = db.prepare(`PRAGMA synchronous = ${synchronous}`);
  const appendBatch = (batch: LeafBatch): void => {
    // SQLite refuses to change the level inside a transaction (one a failed commit left open): then as before.
    if (db.inTransaction) return appendBatchTx(batch);
    noFsync.run();
    try {
      appendBatchTx(batch);
    } finally {
      restoreSynchronous.run();
    }
  };

  return {
    db,
    state(): LogState {
      return (stmt.state.get() as LogState | undefined) ?? { size: 0, cursor: 0 };
    },
    readNode, // uncached: verifyAgainstStore must see what is on disk
    readNodes,
    leafHashes: (start, end) => (stmt.nodeRange.all(0, start, end) as Buffer[]).map(asHash),
    leafPositions: (start, end) => stmt.positions.all(start, end) as number[],
    appendBatch(batch) {
      appendBatch(batch);
      for (const n of batch.nodes) if (n.level >= CACHED_LEVEL) remember(cacheKey(n.level, n.index), n.hash);
    },
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
