import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allViews, createProjectionRunner, sqliteReadModelDb } from '../../projections/index.ts';
import type { RebuildProgress } from '../../projections/runner.ts';
import { createProjectionThread, type ProjectionThread } from '../../projections/runnerThread.ts';
import { coalescedWakes } from '../../src/store/coalescedWakes.ts';
import { readModelFile } from '../../src/store/openEventStore.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { dumpViews } from './dump.ts';
import type { Staged } from './fixtures.ts';
import { appendBulk } from './fixtures.ts';
import { portfolio } from './portfolio.ts';

/**
 * The projection runner on its own thread (projections/runnerThread.ts), against the real embedded
 * store: the thread reads the events file on a read-only connection and writes readmodels.db, woken by
 * the store's commits, while this thread keeps appending. Its read models must equal the in-thread
 * runner's, table by table.
 */
const dir = mkdtempSync(join(tmpdir(), 'proj-thread-'));
let store: SqliteEventStore;
let thread: ProjectionThread;
const viewErrors: string[] = [];
const events: Staged[] = [...portfolio({ enterprises: 30, loans: 45, instalments: 12, seed: 5 })];
const half = Math.floor(events.length / 2);

beforeAll(async () => {
  store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  await appendBulk(store, events.slice(0, half));
  thread = createProjectionThread({
    storeFile: store.file,
    readModelFile: readModelFile(dir),
    batchSize: 100, // several catch-up pages at the start
    commits: coalescedWakes(store, 5),
    restartMs: 400, // long enough to look at the views while no thread runs
    onViewError: (view, e) => viewErrors.push(`${view}: ${e.message}`),
  });
  await thread.start();
}, 60_000);

afterAll(async () => {
  await thread?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The read models as the in-thread runner builds them from the same store, in memory. */
async function reference(): Promise<Record<string, string[]>> {
  const memory = new Database(':memory:');
  try {
    const db = sqliteReadModelDb(memory);
    await createProjectionRunner({ store, db, views: allViews }).catchUp();
    return dumpViews(db, allViews);
  } finally {
    memory.close();
  }
}

/** What the thread has written, read the way the API reads it: another connection to readmodels.db. */
function served(): Record<string, string[]> {
  const file = new Database(readModelFile(dir), { readonly: true });
  try {
    return dumpViews(sqliteReadModelDb(file), allViews);
  } finally {
    file.close();
  }
}

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the projection thread', () => {
  it('caught up at start, then follows commits by their wakes alone, to the same rows as in-thread', async () => {
    const head = () => store.headPosition();
    expect(thread.status().map((v) => v.checkpoint)).toEqual(allViews.map(() => half));
    // Meanwhile another connection writes to the read-model file in read-then-write transactions, as
    // the webhook dispatcher does from the request thread: each side waits for the other's lock and
    // goes on (begun deferred, either would fail at once with SQLITE_BUSY_SNAPSHOT; the thread's views
    // would stop).
    const other = new Database(readModelFile(dir));
    other.pragma('busy_timeout = 5000');
    other.exec('CREATE TABLE IF NOT EXISTS scratch (n INTEGER NOT NULL)');
    const otherDb = sqliteReadModelDb(other);
    let writes = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        otherDb.transaction(() => {
          otherDb.get('SELECT count(*) AS n FROM rm_checkpoints');
          otherDb.run('INSERT INTO scratch (n) VALUES (?)', writes++);
        });
        await new Promise((r) => setImmediate(r));
      }
    })();
    await appendBulk(store, events.slice(half));
    // No catchUp call: only the forwarded wakes move the thread.
    const end = await head();
    await until('every view at the head', () => thread.status().every((v) => v.checkpoint === end));
    writing = false;
    await writer;
    other.close();
    expect(writes).toBeGreaterThan(10);
    expect(await thread.lag()).toBe(0);
    const want = await reference();
    expect(Object.values(want).reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(500);
    expect(served()).toEqual(want);
    expect(viewErrors).toEqual([]);
  });

  it('a thread that dies is reported on every view, started again, and resumes from its checkpoints', async () => {
    await thread.crashForTest();
    expect(thread.status().every((v) => v.error?.startsWith('projection thread stopped'))).toBe(true);
    // Readiness can still read the lag: from the checkpoints the thread last reported.
    await appendBulk(store, [...portfolio({ enterprises: 2, loans: 2, instalments: 2, seed: 76 })]);
    const behind = await thread.lag();
    expect(behind).toBe((await store.headPosition()) - Math.min(...thread.status().map((v) => v.checkpoint)));
    expect(behind).toBeGreaterThan(0);
    await until('a new thread', () => thread.restarts === 1 && thread.status().every((v) => !v.error));
    // Commits made while no thread ran are read on the next wake or catch-up.
    await appendBulk(store, [...portfolio({ enterprises: 3, loans: 4, instalments: 3, seed: 77 })]);
    expect(await thread.catchUp()).toBeGreaterThanOrEqual(0);
    expect(await thread.lag()).toBe(0);
    expect(served()).toEqual(await reference());
  });

  it('rebuilds through the thread with progress, to the same rows', async () => {
    const progress: RebuildProgress[] = [];
    await thread.rebuild('bank', (p) => progress.push(p));
    expect(progress.length).toBeGreaterThan(0);
    const last = progress.at(-1)!;
    expect(last.views).toEqual(['bank']);
    expect(last.done).toBe(last.total);
    expect(served()).toEqual(await reference());
    await expect(thread.rebuild('no_such_view')).rejects.toThrow(/no view named no_such_view/);
  });
});
