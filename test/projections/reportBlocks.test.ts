import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProjectionRunner, sqliteReadModelDb } from '../../projections/index.ts';
import { bankPortfolioView, bankReports, type BankReport } from '../../projections/views/bankPortfolio.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { appendBulk } from './fixtures.ts';
import { BANKS, portfolio } from './portfolio.ts';

/**
 * Report-back records are stored in blocks (one row per bank per page of the runner). Paging through
 * them by position must not depend on where the blocks start.
 */
const dir = mkdtempSync(join(tmpdir(), 'proj-reports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bank's records, read in pages of `limit`, each page after the last position of the one before. */
const pageThrough = (db: Parameters<typeof bankReports>[0], bank: string, limit: number): BankReport[] => {
  const out: BankReport[] = [];
  for (let after = -1; ;) {
    const page = bankReports(db, bank, after, limit);
    expect(page.length).toBeLessThanOrEqual(limit);
    // Each page moves past `after` (else this loop would never end).
    if (page.length > 0) expect(page[0]!.position).toBeGreaterThan(after);
    out.push(...page);
    if (page.length < limit) return out;
    after = page.at(-1)!.position;
  }
};

describe('report-back records in blocks', () => {
  it('read the same, in log order, whatever the page size that wrote them and the page size that reads them', async () => {
    const store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
    const small = openSqliteEventStore({ file: join(dir, 'small-pages.db') });
    try {
      await appendBulk(store, portfolio({ enterprises: 30, loans: 40, instalments: 6, seed: 5 }));
      // The same events read by two runners: pages of 5,000 (one block per bank) and of 7 (hundreds).
      const big = sqliteReadModelDb(store.db);
      await createProjectionRunner({ store, db: big, views: [bankPortfolioView], batchSize: 5000 }).catchUp();
      const blocks = sqliteReadModelDb(small.db);
      await createProjectionRunner({ store, db: blocks, views: [bankPortfolioView], batchSize: 7 }).catchUp();
      expect(blocks.get<{ n: number }>('SELECT count(*) AS n FROM rm_bank_reports')!.n).toBeGreaterThan(100);

      const all = (await store.readAll({ max: 100_000 })).events;
      let banksWithRecords = 0;
      for (const bank of BANKS) {
        const expected = bankReports(big, bank, -1, 1_000_000);
        if (expected.length > 0) banksWithRecords++;
        // In log order, each naming the event at its position.
        expect(expected.map((r) => r.position)).toEqual(
          [...expected.map((r) => r.position)].sort((a, b) => a - b),
        );
        for (const r of expected)
          expect({ id: all[r.position]!.id, type: all[r.position]!.type }).toEqual({
            id: r.eventId,
            type: r.eventType,
          });
        for (const limit of [1, 3, 50, 1000]) expect(pageThrough(blocks, bank, limit)).toEqual(expected);
        // `after` in the middle of a block: the records after it, and only those.
        const middle = expected[Math.floor(expected.length / 2)];
        if (middle)
          expect(bankReports(blocks, bank, middle.position, 5)).toEqual(
            expected.filter((r) => r.position > middle.position).slice(0, 5),
          );
      }
      expect(banksWithRecords).toBeGreaterThanOrEqual(2);
      expect(bankReports(blocks, 'no-such-bank')).toEqual([]);
    } finally {
      await small.close();
      await store.close();
    }
  });
});
