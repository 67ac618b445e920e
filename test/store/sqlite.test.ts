import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { eventStoreContract, makeEvent, streamName } from './contract.ts';

eventStoreContract(
  'SQLite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loan-ledger-sqlite-'));
    const file = join(dir, 'ledger.db');
    return {
      open: async () => openSqliteEventStore({ file }),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
      childEnv: { STORE_KIND: 'sqlite', STORE_FILE: file },
    };
  },
  { dense: true },
);

describe('SQLite adapter specifics', () => {
  const withStore = async (fn: (store: ReturnType<typeof openSqliteEventStore>) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), 'loan-ledger-sqlite-'));
    const store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
    try {
      await fn(store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('group-commits concurrent appends: many appends per transaction, each settled after COMMIT', async () => {
    await withStore(async (store) => {
      let commits = 0;
      store.onAppended(() => commits++);
      await Promise.all(Array.from({ length: 64 }, () => store.appendToStream(streamName(), [makeEvent()])));
      expect(commits).toBeLessThan(8);
      expect(store.db.inTransaction).toBe(false);
      expect(await store.headPosition()).toBe(64);
    });
  });

  it('an append whose later event reuses a stored id writes none of its events, within a batch of others', async () => {
    await withStore(async (store) => {
      const stored = makeEvent();
      await store.appendToStream(streamName(), [stored]);
      const head = await store.headPosition();
      const s = streamName();
      const neighbour = () => store.appendToStream(streamName(), [makeEvent()]);
      const before = [neighbour(), neighbour()];
      const clash = store.appendToStream(s, [makeEvent(), makeEvent(), stored], { expectedRevision: 'any' });
      const after = [neighbour(), neighbour()];
      await expect(clash).rejects.toMatchObject({ code: 'LL_EVENT_ID_CONFLICT' });
      await Promise.all([...before, ...after]);
      expect(await store.streamRevision(s)).toBeUndefined();
      expect(await store.headPosition()).toBe(head + 4);
      const all = await store.readAll({ fromPosition: head });
      expect(all.events.map((e) => e.position)).toEqual([head, head + 1, head + 2, head + 3]);
    });
  });

  it('a one-event append that fails within a batch writes nothing and leaves its neighbours whole', async () => {
    // One-event appends run without a savepoint (a failed INSERT undoes itself): check that a failure at
    // the insert (a stored id on another stream), a refused revision and a retry all leave the batch intact.
    await withStore(async (store) => {
      const stored = makeEvent();
      const home = streamName();
      await store.appendToStream(home, [stored]);
      const head = await store.headPosition();
      const neighbour = () => store.appendToStream(streamName(), [makeEvent()]);
      const elsewhere = streamName();
      const results = await Promise.allSettled([
        neighbour(),
        store.appendToStream(elsewhere, [stored], { expectedRevision: 'any' }),
        neighbour(),
        store.appendToStream(home, [makeEvent()], { expectedRevision: 5 }),
        neighbour(),
        store.appendToStream(home, [stored], { expectedRevision: 'no_stream' }), // the first append again
        neighbour(),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'LL_EVENT_ID_CONFLICT' });
      expect((results[3] as PromiseRejectedResult).reason).toMatchObject({
        code: 'LL_WRONG_EXPECTED_REVISION',
      });
      expect((results[5] as PromiseFulfilledResult<{ positions: number[] }>).value.positions).toEqual([
        head - 1,
      ]);
      expect(await store.streamRevision(elsewhere)).toBeUndefined();
      expect(await store.streamRevision(home)).toBe(0);
      const all = await store.readAll({ fromPosition: head });
      expect(all.events.map((e) => e.position)).toEqual([head, head + 1, head + 2, head + 3]);
      expect(store.db.inTransaction).toBe(false);
    });
  });

  it('a stream appended by another connection is seen at its new revision (the remembered ones are dropped)', async () => {
    // The writer keeps streams' revisions in memory; another process writing the same file (the CLI)
    // must make it read them again, or it would refuse a right If-Match and try a taken revision.
    await withStore(async (store) => {
      const other = openSqliteEventStore({ file: store.file });
      try {
        const s = streamName();
        await store.appendToStream(s, [makeEvent()], { expectedRevision: 'no_stream' });
        await store.appendToStream(s, [makeEvent()], { expectedRevision: 0 }); // remembered: revision 1
        await other.appendToStream(s, [makeEvent(), makeEvent()], { expectedRevision: 1 }); // now 3
        await expect(store.appendToStream(s, [makeEvent()], { expectedRevision: 1 })).rejects.toMatchObject({
          code: 'LL_WRONG_EXPECTED_REVISION',
        });
        const next = await store.appendToStream(s, [makeEvent()], { expectedRevision: 3 });
        expect(next.nextExpectedRevision).toBe(4);
        const any = await store.appendToStream(s, [makeEvent()]);
        expect(any.nextExpectedRevision).toBe(5);
        expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
      } finally {
        await other.close();
      }
    });
  });

  it('uses WAL and synchronous=FULL, and shares its connection for other tables', async () => {
    await withStore(async (store) => {
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
      store.db.exec('CREATE TABLE IF NOT EXISTS projection_x (k TEXT PRIMARY KEY, v INTEGER) STRICT');
      store.db.transaction(() => store.db.prepare('INSERT INTO projection_x VALUES (?, ?)').run('a', 1))();
      await store.appendToStream(streamName(), [makeEvent()]);
      expect(store.db.prepare('SELECT v FROM projection_x').pluck().get()).toBe(1);
    });
  });

  it('drops the key index of earlier versions on open, keeping the events it indexed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loan-ledger-sqlite-'));
    const file = join(dir, 'ledger.db');
    try {
      const old = openSqliteEventStore({ file });
      const s = streamName();
      await old.appendToStream(s, [makeEvent({ n: 1 })]);
      // The index as versions before it was dropped created it.
      old.db
        .exec(`CREATE INDEX events_idempotency_key ON events (stream, json_extract(body, '$.meta.idempotencyKey'))
                   WHERE json_extract(body, '$.meta.idempotencyKey') IS NOT NULL`);
      await old.close();
      const store = openSqliteEventStore({ file });
      try {
        const indexes = store.db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
          .pluck()
          .all();
        expect(indexes).not.toContain('events_idempotency_key');
        expect((await store.readStream(s)).map((e) => e.data)).toEqual([{ n: 1 }]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects appends after close with LL_STORE_UNAVAILABLE but settles those accepted before', async () => {
    await withStore(async (store) => {
      const accepted = store.appendToStream(streamName(), [makeEvent()]);
      await store.close();
      await expect(accepted).resolves.toMatchObject({ positions: [0] });
      await expect(store.appendToStream(streamName(), [makeEvent()])).rejects.toMatchObject({
        code: 'LL_STORE_UNAVAILABLE',
      });
    });
  });
});
