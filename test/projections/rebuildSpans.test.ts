import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allViews, createProjectionRunner, sqliteReadModelDb } from '../../projections/index.ts';
import type { ReadModelDb } from '../../projections/readModelDb.ts';
import type { View } from '../../projections/view.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { dumpViews } from './dump.ts';
import { engines, openReadModels } from './engines.ts';
import { appendBulk } from './fixtures.ts';
import { portfolio } from './portfolio.ts';

/**
 * A rebuild keeps each view's batch open over a span of pages (projections/runner.ts, rebuildInSpans).
 * These tests give it pages of 100 events and spans of 350, so a span ends in the middle of a page run,
 * several spans follow one another, and the rows a view holds by key cross many page transactions.
 */
const PAGE = 100;
const SPAN = 350;

const dir = mkdtempSync(join(tmpdir(), 'proj-spans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let generated: Promise<string> | undefined;
/** About 1,900 events: six spans. */
const generatedStore = () =>
  (generated ??= (async () => {
    const file = join(dir, 'portfolio.db');
    const store = openSqliteEventStore({ file });
    await appendBulk(store, portfolio({ enterprises: 60, loans: 90, instalments: 12, seed: 11 }));
    await store.close();
    return file;
  })());

let copies = 0;
/** A fresh copy of the generated store (each test writes read models into its file). */
const storeCopy = async (): Promise<SqliteEventStore> => {
  const source = openSqliteEventStore({ file: await generatedStore() });
  const file = join(dir, `copy-${copies++}.db`);
  await source.db.backup(file);
  await source.close();
  return openSqliteEventStore({ file });
};

/** A view that counts the events it applies per type, and throws on one type if asked. */
const counter = (name: string, failOn?: string): View => ({
  name,
  version: 1,
  tables: [`rm_${name}_counts`],
  schema: `CREATE TABLE IF NOT EXISTS rm_${name}_counts (type TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT;`,
  handles: new Set(['LoanApplied', 'RepaymentReceived']),
  apply(db, e) {
    if (e.type === failOn) throw new Error(`cannot apply ${e.type}`);
    db.run(
      `INSERT INTO rm_${name}_counts (type, n) VALUES (?, 1) ON CONFLICT (type) DO UPDATE SET n = n + 1`,
      e.type,
    );
  },
});

/** The rebuild's two ways of reading: a page per transaction (any store), or a span per transaction. */
const modes = [
  ...engines.map((engine) => ({ engine, sync: false })),
  { engine: 'sqlite' as const, sync: true },
];

/** A runner whose 6th page fails as an unavailable disk would (a transient error): the rebuild stops there. */
const stoppingAtPage6 = (store: SqliteEventStore, db: ReadModelDb, sync: boolean) => {
  let pages = 0;
  return createProjectionRunner({
    store,
    db,
    views: allViews,
    batchSize: PAGE,
    rebuildSpan: SPAN,
    ...(sync && {
      readPageSync: (fromPosition: number, max: number) => store.readAllSync({ fromPosition, max }),
    }),
    onBatch: () => {
      // The 6th page is the 2nd of the second span: the first span is written, the second is not.
      if (++pages === 6) throw Object.assign(new Error('disk unavailable'), { transient: true });
    },
  });
};

/** The read models `db` holds for `store` equal, table by table, a page-by-page catch-up in a fresh file. */
const expectEqualToCleanCatchUp = async (store: SqliteEventStore, db: ReadModelDb) => {
  const survived = dumpViews(db, allViews);
  const cleanFile = openSqliteEventStore({ file: join(dir, `clean-${copies++}.db`) });
  const clean = sqliteReadModelDb(cleanFile.db);
  await createProjectionRunner({ store, db: clean, views: allViews, batchSize: PAGE }).catchUp();
  const expected = dumpViews(clean, allViews);
  await cleanFile.close();
  expect(expected['rm_bank_reports']!.length).toBeGreaterThan(1000);
  for (const table of Object.keys(expected))
    expect({ table, rows: survived[table] }).toEqual({ table, rows: expected[table] });
};

describe('rebuild in spans', () => {
  for (const { engine, sync } of modes)
    it(`${engine}${sync ? ', one transaction per span' : ''}: a rebuild in spans writes exactly the rows a page-by-page catch-up writes`, async () => {
      const store = await storeCopy();
      const head = await store.headPosition();
      expect(head).toBeGreaterThan(5 * SPAN);
      const live = await openReadModels(engine, store);
      const rebuilt = await openReadModels(engine, store);
      try {
        await createProjectionRunner({ store, db: live.db, views: allViews, batchSize: PAGE }).catchUp();
        const expected = dumpViews(live.db, allViews);

        const pages: number[] = [];
        const runner = createProjectionRunner({
          store,
          db: rebuilt.db,
          views: allViews,
          batchSize: PAGE,
          rebuildSpan: SPAN,
          onBatch: ({ events }) => pages.push(events),
          ...(sync && {
            readPageSync: (fromPosition: number, max: number) => store.readAllSync({ fromPosition, max }),
          }),
        });
        const done: number[] = [];
        await runner.rebuild(undefined, (p) => done.push(p.done));
        expect(pages.length).toBe(Math.ceil(head / PAGE));
        expect(done.at(-1)).toBe(head);
        for (const s of runner.status())
          expect(s).toEqual({ name: s.name, version: s.version, checkpoint: head });
        const actual = dumpViews(rebuilt.db, allViews);
        expect(actual['rm_bank_reports']!.length).toBeGreaterThan(1000);
        for (const table of Object.keys(expected))
          expect({ table, rows: actual[table] }).toEqual({ table, rows: expected[table] });
      } finally {
        await live.close();
        await rebuilt.close();
        await store.close();
      }
    });

  it('a rebuild stopped in the middle of a span leaves no checkpoint; the next runner rebuilds from zero and ends equal', async () => {
    const store = await storeCopy();
    const head = await store.headPosition();
    const db = sqliteReadModelDb(store.db);
    try {
      const first = stoppingAtPage6(store, db, false);
      await expect(first.rebuild()).rejects.toThrow(/disk unavailable/);
      expect(first.status().every((s) => s.error?.startsWith('rebuild interrupted'))).toBe(true);
      // Appended rows of the unfinished span are in the file, so no checkpoint may say where they end.
      expect(db.all('SELECT view FROM rm_checkpoints WHERE view IN (?, ?)', 'bank', 'stats')).toEqual([]);
      expect(db.get<{ n: number }>('SELECT count(*) AS n FROM rm_bank_reports')!.n).toBeGreaterThan(0);

      const second = createProjectionRunner({ store, db, views: allViews, batchSize: PAGE });
      for (const s of second.status()) expect(s.checkpoint).toBe(0);
      await second.catchUp();
      await expectEqualToCleanCatchUp(store, db);
      expect(second.status().map((s) => s.checkpoint)).toEqual(allViews.map(() => head));
    } finally {
      await store.close();
    }
  });

  it('one transaction per span: a rebuild stopped in the middle of a span rolls it back; the next runner resumes from the span before', async () => {
    const store = await storeCopy();
    const head = await store.headPosition();
    const db = sqliteReadModelDb(store.db);
    try {
      await expect(stoppingAtPage6(store, db, true).rebuild()).rejects.toThrow(/disk unavailable/);
      // The first span (pages 1–4, 400 events) committed with its checkpoints; the second rolled back.
      for (const v of allViews)
        expect(
          db.get<{ position: number }>('SELECT position FROM rm_checkpoints WHERE view = ?', v.name),
        ).toEqual({ position: 400 });

      const second = createProjectionRunner({ store, db, views: allViews, batchSize: PAGE });
      for (const s of second.status()) expect(s.checkpoint).toBe(400);
      await second.catchUp();
      await expectEqualToCleanCatchUp(store, db);
      expect(second.status().map((s) => s.checkpoint)).toEqual(allViews.map(() => head));
    } finally {
      await store.close();
    }
  });

  it('a view that throws during a rebuild: the rebuild starts again page by page and stops only that view', async () => {
    const store = await storeCopy();
    const head = await store.headPosition();
    const db = sqliteReadModelDb(store.db);
    try {
      const runner = createProjectionRunner({
        store,
        db,
        views: [counter('good'), counter('bad', 'RepaymentReceived')],
        batchSize: PAGE,
        rebuildSpan: SPAN,
      });
      await runner.rebuild();
      const [good, bad] = runner.status();
      expect(good).toEqual({ name: 'good', version: 1, checkpoint: head });
      expect(bad!.error).toMatch(/cannot apply RepaymentReceived/);
      const counts = (name: string) =>
        Object.fromEntries(
          db
            .all<{ type: string; n: number }>(`SELECT type, n FROM rm_${name}_counts`)
            .map((r) => [r.type, r.n]),
        );
      const inStore = { LoanApplied: 0, RepaymentReceived: 0 };
      for (let from = 0; ;) {
        const page = await store.readAll({ fromPosition: from, max: 1000 });
        if (page.events.length === 0) break;
        for (const e of page.events) if (e.type in inStore) inStore[e.type as keyof typeof inStore]++;
        from = page.nextPosition;
      }
      expect(inStore.RepaymentReceived).toBeGreaterThan(100);
      // Applied once each, though the first attempt had applied some pages before the throw.
      expect(counts('good')).toEqual(inStore);
      expect(counts('bad').RepaymentReceived).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
