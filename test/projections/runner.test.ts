import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProjectionRunner, sqliteReadModelDb, type RebuildProgress } from '../../projections/index.ts';
import type { View } from '../../projections/view.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { appendAll, ev, uscc } from './fixtures.ts';

/** A view that counts events per type: applying an event twice or skipping one changes its rows. */
const counter = (name = 'counter', version = 1, failOn?: string): View => ({
  name,
  version,
  tables: [`rm_${name}_counts`],
  schema: `CREATE TABLE IF NOT EXISTS rm_${name}_counts (type TEXT PRIMARY KEY, n INTEGER NOT NULL, positions TEXT NOT NULL) STRICT;`,
  handles: new Set(['EnterpriseRegistered', 'LoanApplied', 'CreditEvaluated']),
  apply(db, e) {
    if (e.type === failOn) throw new Error(`cannot apply ${e.type}`);
    db.run(
      `INSERT INTO rm_${name}_counts (type, n, positions) VALUES (?, 1, ?)
       ON CONFLICT (type) DO UPDATE SET n = n + 1, positions = positions || ',' || excluded.positions`,
      e.type,
      String(e.position),
    );
  },
});

const dirs: string[] = [];
const stores: SqliteEventStore[] = [];
const openStore = (file?: string) => {
  if (!file) {
    const dir = mkdtempSync(join(tmpdir(), 'proj-runner-'));
    dirs.push(dir);
    file = join(dir, 'ledger.db');
  }
  const s = openSqliteEventStore({ file });
  stores.push(s);
  return s;
};
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const seed = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) =>
    ev.enterpriseRegistered(
      uscc(from + i + 1),
      '430102',
      'C3911',
      'small',
      `2026-01-0${1 + (i % 9)}T08:00:00.000Z`,
    ),
  );

const counts = (store: SqliteEventStore, name = 'counter') =>
  store.db.prepare(`SELECT type, n, positions FROM rm_${name}_counts ORDER BY type`).all();

describe('projection runner', () => {
  it('catches up from its checkpoint, applies each event once, and follows new appends', async () => {
    const store = openStore();
    await appendAll(store, seed(25));
    const runner = createProjectionRunner({
      store,
      db: sqliteReadModelDb(store.db),
      views: [counter()],
      batchSize: 7,
    });
    await runner.start();
    expect(counts(store)).toEqual([
      { type: 'EnterpriseRegistered', n: 25, positions: Array.from({ length: 25 }, (_, i) => i).join(',') },
    ]);
    expect(await runner.lag()).toBe(0);

    await appendAll(store, seed(5, 100));
    // Woken by onAppended: wait until it has caught up (no timing assertion, just polling).
    for (let i = 0; i < 200 && (await runner.lag()) > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await runner.lag()).toBe(0);
    expect(runner.status()).toEqual([{ name: 'counter', version: 1, checkpoint: 30 }]);
    expect((counts(store)[0] as { n: number }).n).toBe(30);
    await runner.stop();
  });

  it('resumes after a restart from the stored checkpoint without re-applying', async () => {
    const store = openStore();
    await appendAll(store, seed(10));
    const first = createProjectionRunner({ store, db: sqliteReadModelDb(store.db), views: [counter()] });
    await first.catchUp();
    await appendAll(store, seed(4, 50));
    const file = store.file;
    await store.close();
    stores.splice(stores.indexOf(store), 1);

    const reopened = openStore(file);
    const second = createProjectionRunner({
      store: reopened,
      db: sqliteReadModelDb(reopened.db),
      views: [counter()],
    });
    expect(second.status()[0]!.checkpoint).toBe(10);
    expect(await second.lag()).toBe(4);
    expect(await second.catchUp()).toBe(4);
    expect((counts(reopened)[0] as { n: number; positions: string }).positions).toBe(
      Array.from({ length: 14 }, (_, i) => i).join(','),
    );
  });

  it('rebuilds a view from zero with progress, and leaves the other views alone', async () => {
    const store = openStore();
    await appendAll(store, seed(40));
    const db = sqliteReadModelDb(store.db);
    const runner = createProjectionRunner({ store, db, views: [counter('a'), counter('b')], batchSize: 10 });
    await runner.catchUp();
    store.db.prepare('UPDATE rm_a_counts SET n = 999').run(); // damage it: the rebuild must repair it
    const progress: RebuildProgress[] = [];
    await runner.rebuild('a', (p) => progress.push(p));
    expect((counts(store, 'a')[0] as { n: number }).n).toBe(40);
    expect((counts(store, 'b')[0] as { n: number }).n).toBe(40);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((x, y) => x - y));
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ views: ['a'], done: 40, total: 40, etaSeconds: 0 });
    expect(last.eventsPerSecond).toBeGreaterThan(0);
    await expect(runner.rebuild('nope')).rejects.toThrow(/no view named nope/);
  });

  it('rebuilds a view whose version changed when the runner opens', async () => {
    const store = openStore();
    await appendAll(store, seed(6));
    const db = sqliteReadModelDb(store.db);
    await createProjectionRunner({ store, db, views: [counter('c', 1)] }).catchUp();
    store.db.prepare('UPDATE rm_c_counts SET n = 999').run();
    const v2 = createProjectionRunner({ store, db, views: [counter('c', 2)] });
    expect(v2.status()[0]).toEqual({ name: 'c', version: 2, checkpoint: 0 });
    await v2.catchUp();
    expect((counts(store, 'c')[0] as { n: number }).n).toBe(6);
  });

  it('stops a view that throws, keeps its rows at the last good batch, and lets the others go on', async () => {
    const store = openStore();
    await appendAll(store, [
      ...seed(3),
      ev.loanApplied('L1', uscc(1), 100, '2026-01-05T08:00:00.000Z'),
      ...seed(3, 10),
    ]);
    const errors: string[] = [];
    const runner = createProjectionRunner({
      store,
      db: sqliteReadModelDb(store.db),
      views: [counter('good'), counter('bad', 1, 'LoanApplied')],
      batchSize: 2,
      onViewError: (view, _e, at) => errors.push(`${view}@${at?.position}`),
    });
    await runner.catchUp();
    expect(errors).toEqual(['bad@3']);
    const status = runner.status();
    expect(status[0]).toEqual({ name: 'good', version: 1, checkpoint: 7 });
    expect(status[1]).toMatchObject({ name: 'bad', checkpoint: 2 });
    expect(status[1]!.error).toMatch(/cannot apply LoanApplied \(at position 3\)/);
    expect((counts(store, 'bad')[0] as { n: number }).n).toBe(2);
    expect(await runner.lag()).toBe(0); // lag counts the healthy views; the failed one is in status()
  });
});
