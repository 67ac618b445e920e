import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAhead, type ReadAhead } from '../../src/store/sqlite/readAhead.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { appendBulk } from '../projections/fixtures.ts';
import { portfolio } from '../projections/portfolio.ts';

/**
 * The rebuild's read-ahead (src/store/sqlite/readAhead.ts) must give exactly the pages the store's own
 * `readAllSync` gives, whether the worker delivered a page or it was read directly.
 */
const dir = mkdtempSync(join(tmpdir(), 'read-ahead-'));
let store: SqliteEventStore;
let head: number;
beforeAll(async () => {
  store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  await appendBulk(store, portfolio({ enterprises: 30, loans: 60, instalments: 6, seed: 3 }));
  head = await store.headPosition();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const direct = (fromPosition: number, max: number) => store.readAllSync({ fromPosition, max });

/** Reads from 0 to the end in pages of `max`, through `reader`. */
const readThrough = (reader: ReadAhead, max: number) => {
  const pages = [];
  for (let from = 0; ;) {
    const page = reader.read(from, max);
    pages.push(page);
    if (page.events.length === 0) return pages;
    from = page.nextPosition;
  }
};

const directPages = (max: number) => {
  const pages = [];
  for (let from = 0; ;) {
    const page = direct(from, max);
    pages.push(page);
    if (page.events.length === 0) return pages;
    from = page.nextPosition;
  }
};

describe('read-ahead of the embedded store', () => {
  it('gives the pages readAllSync gives, most of them fetched by the worker', async () => {
    expect(head).toBeGreaterThan(500);
    const reader = readAhead(store.file, direct);
    try {
      const pages = readThrough(reader, 100);
      expect(pages).toEqual(directPages(100));
      // Read directly: the first page (nothing was asked ahead), and the empty one after a short page
      // (the end of the log: nothing is asked ahead of it). Every other page came from the worker.
      const directly = 1 + (head % 100 === 0 ? 0 : 1);
      expect(reader.counts).toEqual({ ahead: pages.length - directly, direct: directly, timedOut: 0 });
    } finally {
      await reader.close();
    }
  });

  it('reads directly, with the same result, a page that does not fit its buffer or was not asked ahead', async () => {
    const small = readAhead(store.file, direct, { slotBytes: 4096 });
    try {
      // A page of 100 events is far more than 4 KiB: every one is read directly.
      expect(readThrough(small, 100)).toEqual(directPages(100));
      expect(small.counts.ahead).toBe(0);
      // Three events fit: those come from the worker.
      expect(readThrough(small, 3)).toEqual(directPages(3));
      expect(small.counts.ahead).toBeGreaterThan(100);
      // Jumping elsewhere than the page asked ahead: read directly.
      const before = small.counts.direct;
      expect(small.read(250, 10)).toEqual(direct(250, 10));
      expect(small.read(37, 10)).toEqual(direct(37, 10));
      expect(small.counts.direct).toBe(before + 2);
    } finally {
      await small.close();
    }
  });

  it('a worker that stopped answering is waited for once, then every page is read directly', async () => {
    const reader = readAhead(store.file, direct, { waitMs: 200 });
    expect(reader.read(0, 100)).toEqual(direct(0, 100)); // asks for 100–199 ahead
    expect(reader.read(100, 100)).toEqual(direct(100, 100)); // delivered; asks for 200–299 ahead
    await reader.close(); // the worker ends; it may still have answered the request for 200–299
    for (const from of [200, 300, 400, 500]) expect(reader.read(from, 100)).toEqual(direct(from, 100));
    // One wait ran out (the first request the worker never took); nothing was asked of it after that.
    expect(reader.counts.timedOut).toBe(1);
    expect(reader.counts.ahead).toBeLessThanOrEqual(2);
    expect(reader.counts.ahead + reader.counts.direct).toBe(6);
  });

  it('a damaged row gives the same integrity error as a direct read, naming its position', async () => {
    const position = 150;
    const original = store.db
      .prepare('SELECT body FROM events WHERE position = ?')
      .pluck()
      .get(position) as string;
    store.db.prepare('UPDATE events SET body = ? WHERE position = ?').run('["not an event"]', position);
    const reader = readAhead(store.file, direct);
    try {
      reader.read(0, 100); // asks for 100–199 ahead: the worker fetches the damaged row
      let fromWorker: unknown;
      try {
        reader.read(100, 100);
      } catch (e) {
        fromWorker = e;
      }
      let fromStore: unknown;
      try {
        direct(100, 100);
      } catch (e) {
        fromStore = e;
      }
      expect(reader.counts.ahead).toBe(1); // the error came through the worker's page
      expect(fromWorker).toMatchObject({
        code: 'LL_LOG_INTEGRITY',
        message: expect.stringContaining(`position ${position}`),
      });
      expect((fromWorker as Error).message).toBe((fromStore as Error).message);
    } finally {
      store.db.prepare('UPDATE events SET body = ? WHERE position = ?').run(original, position);
      await reader.close();
    }
  });
});
