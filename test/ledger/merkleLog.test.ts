import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isLedgerError } from '../../src/errors.ts';
import { eventLeafHash } from '../../src/ledger/leaf.ts';
import { MemoryTree, verifyConsistency, verifyInclusion } from '../../src/ledger/merkle.ts';
import { MerkleLog } from '../../src/ledger/merkleLog.ts';
import { openSqliteTreeStore } from '../../src/ledger/sqlite/sqliteTreeStore.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { loanEvent } from './fixtures.ts';

const dirs: string[] = [];
const stores: SqliteEventStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'merkle-log-'));
  dirs.push(dir);
  return join(dir, 'ledger.db');
}

async function openAll(file: string, verifyOnOpen = true) {
  const store = openSqliteEventStore({ file });
  stores.push(store);
  const tree = openSqliteTreeStore(store.db);
  const log = await MerkleLog.open({ store, tree, verifyOnOpen, batchSize: 37 });
  return { store, tree, log };
}

async function appendMany(store: SqliteEventStore, from: number, count: number) {
  for (let i = from; i < from + count; i += 7) {
    const n = Math.min(7, from + count - i);
    await store.appendToStream(
      `loan-${i % 5}`,
      Array.from({ length: n }, (_, k) => loanEvent(i + k)),
    );
  }
}

describe('MerkleLog over the SQLite store', () => {
  it('takes every event in store order and gives the same roots and proofs as the in-memory tree', async () => {
    const { store, log } = await openAll(fresh());
    await appendMany(store, 0, 200);
    expect(await log.catchUp()).toBe(200);
    const memory = new MemoryTree();
    for (const e of (await store.readAll({ max: 1000 })).events) memory.appendLeafHash(eventLeafHash(e));
    for (let size = 0; size <= 200; size += size < 70 ? 1 : 13) {
      expect(Buffer.from(log.root(size))).toEqual(Buffer.from(memory.root(size)));
      for (let i = 0; i < size; i += Math.max(1, size >> 3))
        expect(log.inclusionProof(i, size).map((h) => Buffer.from(h))).toEqual(
          memory.inclusionProof(i, size).map((h) => Buffer.from(h)),
        );
      for (let s1 = 0; s1 <= size; s1 += Math.max(1, size >> 2))
        expect(log.consistencyProof(s1, size).map((h) => Buffer.from(h))).toEqual(
          memory.consistencyProof(s1, size).map((h) => Buffer.from(h)),
        );
    }
    const events = await log.events(10, 20);
    expect(events.map((e) => e.position)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    const proof = log.inclusionProof(15, 200);
    expect(verifyInclusion(15, 200, eventLeafHash(events[5]!), proof, log.root())).toBe(true);
    expect(log.leafHashes(15, 16).map((h) => Buffer.from(h))).toEqual([
      Buffer.from(eventLeafHash(events[5]!)),
    ]);
  });

  it('a bounded node cache (evicting most of the upper nodes) gives the same proofs', async () => {
    const store = openSqliteEventStore({ file: fresh() });
    stores.push(store);
    const log = await MerkleLog.open({ store, tree: openSqliteTreeStore(store.db, { cacheEntries: 3 }) });
    await appendMany(store, 0, 700); // upper nodes (level ≥ 6): ~21, so most are evicted
    await log.catchUp();
    const memory = new MemoryTree();
    for (const e of (await store.readAll({ max: 1000 })).events) memory.appendLeafHash(eventLeafHash(e));
    for (const size of [64, 129, 512, 700])
      for (let i = 0; i < size; i += 17) {
        expect(log.inclusionProof(i, size).map((h) => Buffer.from(h))).toEqual(
          memory.inclusionProof(i, size).map((h) => Buffer.from(h)),
        );
        expect(log.consistencyProof(i, size).map((h) => Buffer.from(h))).toEqual(
          memory.consistencyProof(i, size).map((h) => Buffer.from(h)),
        );
      }
  });

  it('follows appends via onAppended and resumes after reopening', async () => {
    const file = fresh();
    const a = await openAll(file);
    const stop = a.log.follow((e) => {
      throw e;
    });
    await appendMany(a.store, 0, 50);
    await new Promise((r) => setTimeout(r, 50));
    await a.log.catchUp();
    expect(a.log.size).toBe(50);
    const root50 = a.log.root();
    stop();
    await appendMany(a.store, 50, 30); // committed while nobody follows
    await a.store.close();
    stores.length = 0;
    const b = await openAll(file);
    expect(b.log.size).toBe(80);
    expect(Buffer.from(b.log.root(50))).toEqual(Buffer.from(root50));
    expect(verifyConsistency(50, 80, root50, b.log.root(), b.log.consistencyProof(50))).toBe(true);
  });

  it('rebuilds a lost tail of the tree (its batches are not fsynced) to the same roots on open', async () => {
    const file = fresh();
    const a = await openAll(file);
    await appendMany(a.store, 0, 50);
    await a.log.catchUp();
    const root50 = a.log.root();
    // What a power cut before the next group commit's fsync can leave: the tree as of 40 leaves.
    a.store.db.exec(`
      DELETE FROM ledger_tree_nodes WHERE (idx + 1) * (1 << level) > 40;
      DELETE FROM ledger_leaves WHERE idx >= 40;
      UPDATE ledger_log_state SET size = 40, cursor = 40;`);
    await a.store.close();
    stores.length = 0;
    const b = await openAll(file);
    expect(b.log.size).toBe(50);
    expect(Buffer.from(b.log.root())).toEqual(Buffer.from(root50));
  });

  it('a tree batch skips only its own fsync: the connection keeps its level, also when the batch fails', async () => {
    const { store, tree } = await openAll(fresh());
    const level = () => store.db.pragma('synchronous', { simple: true });
    expect(level()).toBe(2); // FULL, as the store opened it
    const batch = {
      nodes: [{ level: 0, index: 0, hash: new Uint8Array(32) }],
      leaves: [{ index: 0, position: 0 }],
      state: { size: 1, cursor: 1 },
    };
    tree.appendBatch(batch);
    expect(level()).toBe(2);
    expect(() => tree.appendBatch(batch)).toThrow(/UNIQUE/); // the same node again
    expect(level()).toBe(2);
    expect(tree.state()).toEqual({ size: 1, cursor: 1 });
  });

  it('detects an edited event row on open and names the leaf', async () => {
    const file = fresh();
    const a = await openAll(file);
    await appendMany(a.store, 0, 60);
    await a.log.catchUp();
    const victim = (await a.store.readAll({ fromPosition: 42, max: 1 })).events[0]!;
    await a.store.close();
    stores.length = 0;
    // Someone with file access changes one amount in place.
    const raw = new Database(file);
    const body = raw.prepare('SELECT body FROM events WHERE position = 42').pluck().get() as string;
    expect(body).toContain('"amountFen":1000042');
    raw.prepare('UPDATE events SET body = ? WHERE position = 42').run(body.replace('1000042', '9000042'));
    raw.close();
    const err = await openAll(file).catch((e: unknown) => e);
    expect(isLedgerError(err) && err.code).toBe('LL_LOG_INTEGRITY');
    expect((err as { details: unknown }).details).toMatchObject({
      leafIndex: 42,
      stream: victim.stream,
      revision: victim.revision,
    });
    // verifying on demand finds it too
    const c = await openAll(file, false);
    await expect(c.log.verifyAgainstStore()).rejects.toMatchObject({
      code: 'LL_LOG_INTEGRITY',
      details: { leafIndex: 42 },
    });
  });

  it('detects a corrupted interior node and a deleted event', async () => {
    const file = fresh();
    const a = await openAll(file);
    await appendMany(a.store, 0, 40);
    await a.log.catchUp();
    a.tree.db.prepare('UPDATE ledger_tree_nodes SET hash = zeroblob(32) WHERE level = 3 AND idx = 2').run();
    await expect(a.log.verifyAgainstStore()).rejects.toMatchObject({
      code: 'LL_LOG_INTEGRITY',
      details: { level: 3, nodeIndex: 2 },
    });
    a.tree.db.prepare('DELETE FROM events WHERE position = 39').run();
    await expect(a.log.events(30, 40)).rejects.toMatchObject({
      code: 'LL_LOG_INTEGRITY',
      details: { leafIndex: 39 },
    });
  });

  it('rejects sizes beyond the tree with LL_INVALID_QUERY', async () => {
    const { store, log } = await openAll(fresh());
    await appendMany(store, 0, 5);
    await log.catchUp();
    expect(() => log.root(6)).toThrow(expect.objectContaining({ code: 'LL_INVALID_QUERY' }));
    expect(() => log.inclusionProof(0, 6)).toThrow(expect.objectContaining({ code: 'LL_INVALID_QUERY' }));
  });
});

describe('SQLite tree store in its own file', () => {
  it('persists nodes and checkpoints across reopen', () => {
    const file = fresh();
    const t = openSqliteTreeStore(file);
    const mem = new MemoryTree();
    const nodes: { level: number; index: number; hash: Uint8Array }[] = [];
    for (let i = 0; i < 9; i++) {
      mem.appendLeaf(new Uint8Array([i]));
    }
    // every complete subtree of a 9-leaf tree, as the log would write them
    for (let l = 0; l < 4; l++)
      for (let i = 0; i < 9 >> l; i++) nodes.push({ level: l, index: i, hash: mem.read(l, i) });
    t.appendBatch({
      nodes,
      leaves: Array.from({ length: 9 }, (_, i) => ({ index: i, position: i })),
      state: { size: 9, cursor: 9 },
    });
    t.record({ size: 9, root: mem.root(), note: 'n' });
    t.close();
    const u = openSqliteTreeStore(file);
    expect(u.state()).toEqual({ size: 9, cursor: 9 });
    expect(Buffer.from(u.readNode(3, 0))).toEqual(Buffer.from(mem.read(3, 0)));
    expect(u.latest()?.size).toBe(9);
    u.close();
  });
});
