import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  allViews,
  createProjectionRunner,
  postgresReadModelDb,
  sqliteReadModelDb,
} from '../../projections/index.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { createDatabase } from '../support/postgresServer.ts';
import { dumpViews } from './dump.ts';
import { engines } from './engines.ts';
import { appendBulk } from './fixtures.ts';
import { portfolio } from './portfolio.ts';

const dir = mkdtempSync(join(tmpdir(), 'proj-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHILD = join(import.meta.dirname, 'crashChild.ts');

/** Runs the child until it has reported `killAfter` batches (then SIGKILLs it) or finishes. */
function runChild(
  file: string,
  killAfter: number,
  delayMs: number,
  batch: number,
  postgresUrl?: string,
): Promise<{ done: boolean; batches: number; errors: string[] }> {
  return new Promise((resolve, reject) => {
    // node itself with tsx as a loader: the .bin/tsx wrapper would run the script in a grandchild that
    // a SIGKILL to the wrapper leaves running.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, file, String(batch), ...(postgresUrl ? [postgresUrl] : [])],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let batches = 0;
    let done = false;
    let buffer = '';
    const errors: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line === 'done') done = true;
        else if (line.startsWith('error')) errors.push(line);
        else if (line.startsWith('batch') && ++batches === killAfter)
          // A short random delay, so the kill lands anywhere: reading, applying, or inside COMMIT.
          setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve({ done, batches, errors }));
  });
}

/** Each engine: batch size, and how many batches a run may commit before its kill (1 … maxBatches). */
const settings = {
  sqlite: { batch: 100, maxBatches: 12 },
  // A PostgreSQL batch costs round trips: bigger batches and earlier kills keep the test near 30 s.
  postgres: { batch: 400, maxBatches: 5 },
} as const;

let storeFile: Promise<{ file: string; head: number }> | undefined;
/** The 10,185-event store, generated once for both engines (the children only read its events). */
const generatedStore = () =>
  (storeFile ??= (async () => {
    const file = join(dir, 'ledger.db');
    const store = openSqliteEventStore({ file });
    const total = await appendBulk(
      store,
      portfolio({ enterprises: 300, loans: 500, instalments: 12, seed: 7 }),
    );
    const head = await store.headPosition();
    await store.close();
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(head).toBe(total);
    return { file, head };
  })());

describe('exactly-once under SIGKILL', () => {
  for (const engine of engines)
    it(`${engine}: a runner killed at random points while applying 10,000 events ends equal to a clean rebuild`, async () => {
      const { file, head } = await generatedStore();
      const { batch, maxBatches } = settings[engine];
      const postgresUrl =
        engine === 'postgres'
          ? await createDatabase(inject('postgresUrl'), `rm_crash_${process.pid}`)
          : undefined;

      let kills = 0;
      let finished = false;
      let seed = 12345;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let run = 0; run < 60 && !finished; run++) {
        const r = await runChild(
          file,
          1 + Math.floor(rnd() * maxBatches),
          Math.floor(rnd() * 8),
          batch,
          postgresUrl,
        );
        expect(r.errors).toEqual([]);
        if (r.done) finished = true;
        else kills++;
      }
      expect(finished).toBe(true);
      expect(kills).toBeGreaterThanOrEqual(5);

      const after = openSqliteEventStore({ file });
      const pg = postgresUrl ? postgresReadModelDb(postgresUrl) : undefined;
      try {
        const db = pg ?? sqliteReadModelDb(after.db);
        const runner = createProjectionRunner({ store: after, db, views: allViews });
        expect(await runner.lag()).toBe(0);
        for (const s of runner.status()) expect(s).toMatchObject({ checkpoint: head });
        const survived = dumpViews(db, allViews);
        // The clean rebuild: in SQLite (fast; views.test.ts shows both engines give the same rows).
        const reference = sqliteReadModelDb(after.db);
        await createProjectionRunner({ store: after, db: reference, views: allViews }).rebuild();
        const clean = dumpViews(reference, allViews);
        expect(Object.keys(clean).length).toBeGreaterThan(10);
        for (const table of Object.keys(clean))
          expect({ table, rows: survived[table] }).toEqual({ table, rows: clean[table] });
        // The read models are not trivially empty.
        expect(clean['rm_stats_loans']!.length).toBe(500);
        expect(clean['rm_bank_reports']!.length).toBeGreaterThan(5000);
      } finally {
        await pg?.close();
        await after.close();
      }
    });
});
