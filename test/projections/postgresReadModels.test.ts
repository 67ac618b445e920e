import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allViews, createProjectionRunner, postgresReadModelDb, type View } from '../../projections/index.ts';
import { parsePgInteger, toPostgres } from '../../projections/postgresDialect.ts';
import { statistics } from '../../projections/statistics.ts';
import { loadConfig } from '../../src/app/config.ts';
import { startLedger } from '../../src/app/ledger.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { createDatabase } from '../support/postgresServer.ts';
import { dumpViews } from './dump.ts';
import { openReadModels } from './engines.ts';
import { appendAll, appendBulk } from './fixtures.ts';
import { portfolio } from './portfolio.ts';
import { scenario } from './scenario.ts';

/**
 * Read models in PostgreSQL (projections/postgresReadModelDb.ts): the SQL dialect, exact integers,
 * the same rows as SQLite for a generated portfolio whatever the batch size, two runners sharing one
 * database, and a PostgreSQL-configured ledger serving /v1/stats from them. views.test.ts and
 * exactlyOnce.test.ts run on both engines as well.
 */
const CHILD = join(import.meta.dirname, 'crashChild.ts');
const shape = () => ({ columns: ['id', 'a', 'b', 'c'], primaryKey: ['id'] });

describe('the dialect (postgresDialect.ts)', () => {
  it('numbers parameters outside literals, and casts a parameter only tested for NULL', () => {
    expect(toPostgres("SELECT * FROM t WHERE x = ? AND y = '?' AND (? IS NULL OR m = ?)", shape)).toBe(
      "SELECT * FROM t WHERE x = $1 AND y = '?' AND (CAST($2 AS TEXT) IS NULL OR m = $3)",
    );
  });

  it('INSERT OR IGNORE / OR REPLACE become ON CONFLICT; REPLACE resets unlisted columns to their default', () => {
    expect(toPostgres('INSERT OR IGNORE INTO t (id, a) VALUES (?, ?)', shape)).toBe(
      'INSERT INTO t (id, a) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    );
    expect(toPostgres('INSERT OR REPLACE INTO t (id, a, b) VALUES (?, ?, 0)', shape)).toBe(
      'INSERT INTO t (id, a, b) VALUES ($1, $2, 0) ON CONFLICT (id) DO UPDATE SET a = excluded.a, b = excluded.b, c = DEFAULT',
    );
  });

  it('DDL: BIGINT integers, byte-order text, no STRICT / WITHOUT ROWID; comments with quotes are dropped', () => {
    const ddl = toPostgres(
      `-- the party's table
CREATE TABLE IF NOT EXISTS x (k TEXT NOT NULL, n INTEGER DEFAULT 0, PRIMARY KEY (k)) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS x_n ON x (n);`,
      shape,
    );
    expect(ddl).toContain(
      'CREATE TABLE IF NOT EXISTS x (k TEXT COLLATE "C" NOT NULL, n BIGINT DEFAULT 0, PRIMARY KEY (k))',
    );
    expect(ddl).not.toMatch(/STRICT|ROWID|party/);
    expect(ddl).toContain('CREATE INDEX IF NOT EXISTS x_n ON x (n)');
  });

  it('refuses scalar max(a, b) rather than mistranslate it', () => {
    expect(() => toPostgres('SELECT max(a, b) FROM t', shape)).toThrow(/max\(a, b\)/);
    expect(toPostgres('SELECT max(a) FROM t', shape)).toBe('SELECT max(a) FROM t');
  });

  it('int8 and numeric text become exact numbers; beyond 2^53 is an error, not a rounded amount', () => {
    expect(parsePgInteger('9007199254740991')).toBe(9_007_199_254_740_991);
    expect(parsePgInteger('-42')).toBe(-42);
    expect(() => parsePgInteger('9007199254740993')).toThrow(/2\^53/);
  });
});

describe('PostgreSQL read models', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'proj-pg-'));
    store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
    await appendBulk(store, portfolio({ enterprises: 40, loans: 80, instalments: 6, seed: 11 }));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fen amounts beyond 2^31 come back as exact integers (BIGINT, count and sum included)', async () => {
    const { db, close } = await openReadModels('postgres', store);
    try {
      db.exec('CREATE TABLE big (id TEXT PRIMARY KEY, amount INTEGER NOT NULL) STRICT');
      const fen = 4_503_599_627_370_495; // 2^52 − 1 fen
      db.run('INSERT INTO big (id, amount) VALUES (?, ?), (?, ?)', 'a', fen, 'b', 3_000_000_000);
      expect(db.get('SELECT amount FROM big WHERE id = ?', 'a')).toEqual({ amount: fen });
      expect(db.get('SELECT sum(amount) AS s, count(*) AS n FROM big')).toEqual({
        s: fen + 3_000_000_000,
        n: 2,
      });
      // A sum past 2^53 is refused, never rounded.
      db.run('INSERT INTO big (id, amount) VALUES (?, ?)', 'c', fen);
      expect(() => db.get('SELECT sum(amount) AS s FROM big')).toThrow(/2\^53/);
      // A failed statement inside a transaction rolls the whole transaction back.
      expect(() =>
        db.transaction(() => {
          db.run('INSERT INTO big (id, amount) VALUES (?, ?)', 'd', 1);
          db.run('INSERT INTO big (id, amount) VALUES (?, ?)', 'a', 1); // duplicate key
        }),
      ).toThrow(/duplicate key/);
      expect(db.get('SELECT count(*) AS n FROM big')).toEqual({ n: 3 });
    } finally {
      await close();
    }
  });

  it('a generated portfolio gives the same rows as SQLite, to the fen, whatever the batch size', async () => {
    const sqlite = await openReadModels('sqlite', store);
    await createProjectionRunner({ store, db: sqlite.db, views: allViews, batchSize: 2000 }).catchUp();
    const expected = dumpViews(sqlite.db, allViews);
    expect(expected['rm_stats_loans']!.length).toBe(80);
    const postgres = await openReadModels('postgres', store);
    try {
      await createProjectionRunner({ store, db: postgres.db, views: allViews, batchSize: 97 }).catchUp();
      const got = dumpViews(postgres.db, allViews);
      for (const table of Object.keys(expected))
        expect({ table, rows: got[table] }).toEqual({ table, rows: expected[table] });
      const now = new Date('2027-01-01T00:00:00.000Z');
      expect(statistics(postgres.db, { groupBy: ['city', 'kind'], now })).toEqual(
        statistics(sqlite.db, { groupBy: ['city', 'kind'], now }),
      );
    } finally {
      await postgres.close();
    }
  });

  it('a connection dropped inside a batch (server restart) rolls it back and does not stop the views', async () => {
    const sqlite = await openReadModels('sqlite', store);
    await createProjectionRunner({ store, db: sqlite.db, views: allViews }).catchUp();
    const expected = dumpViews(sqlite.db, allViews);
    const postgres = await openReadModels('postgres', store);
    const admin = postgresReadModelDb(postgres.url!);
    try {
      // A view that, once, has the server terminate the runner's connection in the middle of a batch.
      let killed = 0;
      const killer: View = {
        name: 'killer',
        version: 1,
        tables: [],
        schema: 'SELECT 1',
        handles: new Set(['LoanDisbursed']),
        apply() {
          if (killed++ === 0)
            admin.get(
              `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
               WHERE application_name = 'loan-ledger read models' AND datname = current_database()
                 AND pid <> pg_backend_pid()`,
            );
        },
      };
      const runner = createProjectionRunner({
        store,
        db: postgres.db,
        views: [killer, ...allViews],
        batchSize: 500,
      });
      await expect(runner.catchUp()).rejects.toMatchObject({ transient: true });
      expect(killed).toBeGreaterThanOrEqual(1); // once, then a no-op for later events of the batch
      // No view was stopped; the next catch-up connects again and applies the rolled-back batch once.
      expect(runner.status().filter((v) => v.error !== undefined)).toEqual([]);
      await runner.catchUp();
      const got = dumpViews(postgres.db, allViews);
      for (const table of Object.keys(expected))
        expect({ table, rows: got[table] }).toEqual({ table, rows: expected[table] });
    } finally {
      await admin.close();
      await postgres.close();
    }
  });

  it('two runners in two processes on one database take turns: no event applied twice', async () => {
    const sqlite = await openReadModels('sqlite', store);
    await createProjectionRunner({ store, db: sqlite.db, views: allViews }).catchUp();
    const expected = dumpViews(sqlite.db, allViews);
    const url = await createDatabase(inject('postgresUrl'), `rm_two_${process.pid}`);
    const db = postgresReadModelDb(url);
    try {
      const runner = createProjectionRunner({ store, db, views: allViews, batchSize: 89 });
      // The other process: crashChild.ts, not killed, with its own batch size.
      let started!: () => void;
      const firstBatch = new Promise<void>((r) => (started = r));
      const other = new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', CHILD, store.file, '53', url], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('batch')) started();
        });
        child.on('error', reject);
        child.on('exit', () => {
          started();
          resolve(out);
        });
      });
      // Start once the other process is applying batches, so the two really overlap.
      await firstBatch;
      await runner.catchUp();
      const out = await other;
      expect(out).toContain('done');
      expect(out).not.toContain('error');
      const head = await store.headPosition();
      for (const s of runner.status()) expect(s).toMatchObject({ checkpoint: head });
      const got = dumpViews(db, allViews);
      for (const table of Object.keys(expected))
        expect({ table, rows: got[table] }).toEqual({ table, rows: expected[table] });
    } finally {
      await db.close();
    }
  });
});

describe('a ledger configured with DATABASE_URL', () => {
  it('keeps its read models and checkpoints in that PostgreSQL database and serves /v1/stats from them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-pg-readmodels-'));
    const url = await createDatabase(inject('postgresUrl'), `ll_readmodels_${process.pid}`);
    const ledger = await startLedger(
      loadConfig({
        DATA_DIR: dir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        DEMO: 'on',
        DATABASE_URL: url,
        ANCHOR_EVERY_SECONDS: '3600',
      }),
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await appendAll(ledger.store, scenario());
      const head = await ledger.store.headPosition();
      const checkpoints = async () =>
        (await client.query<{ view: string; position: string }>('SELECT view, position FROM rm_checkpoints'))
          .rows;
      const deadline = Date.now() + 60_000;
      while ((await checkpoints()).some((c) => Number(c.position) < head) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect((await checkpoints()).map((c) => [c.view, Number(c.position)]).sort()).toEqual(
        allViews.map((v) => [v.name, head]).sort(),
      );
      // The scenario's 7 applications are rows of the PostgreSQL database.
      const loans = await client.query<{ n: string }>('SELECT count(*) AS n FROM rm_stats_loans');
      expect(Number(loans.rows[0]!.n)).toBe(7);

      const regulator = Object.values(ledger.demoKeys!).find((k) => k.role === 'regulator')!;
      const res = await fetch(`${ledger.url}/v1/stats`, {
        headers: { authorization: `Bearer ${regulator.apiKey}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { cells: { figures: Record<string, number> }[] };
      expect(body.cells[0]!.figures).toMatchObject({
        applications: 7,
        disbursedCount: 5,
        disbursedAmount: 9_000_000,
      });
    } finally {
      await client.end();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
