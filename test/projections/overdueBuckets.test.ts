import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allViews, createProjectionRunner, type ReadModelDb } from '../../projections/index.ts';
import { bankPortfolio } from '../../projections/views/bankPortfolio.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { engines, openReadModels } from './engines.ts';
import { appendAll, ev, uscc, type Staged } from './fixtures.ts';

/**
 * The bank portfolio's overdue buckets (issue 6 item 4: 1–30, 31–90, 90+ days) at their boundaries:
 * one loan at each of 1, 30, 31, 90 and 91 days past due, plus one overdue loan repaid back to current
 * and one of another bank. Expected cells by hand: 1 and 30 → 1–30; 31 and 90 → 31–90; 91 → 90+.
 */
const BANK = 'bankZ';
const DAYS = [1, 30, 31, 90, 91] as const;

function events(): Staged[] {
  const out: Staged[] = [ev.productPublished('pZ', BANK, 'pure_credit', '2026-01-02T08:00:00.000Z')];
  const loan = (id: string, n: number, bank: string, principal: number) => {
    const u = uscc(700 + n);
    out.push(
      ev.enterpriseRegistered(u, '430102', 'C3911', 'small', '2026-01-03T08:00:00.000Z'),
      ev.loanApplied(id, u, principal, '2026-01-04T08:00:00.000Z'),
      ev.productChosen(id, u, 'pZ', bank, '2026-01-05T08:00:00.000Z'),
      ev.loanApproved(id, bank, principal, '2026-01-06T08:00:00.000Z'),
      ev.contractExecuted(id, '2026-01-07T08:00:00.000Z'),
      ev.loanDisbursed(id, bank, principal, '2026-01-08'),
    );
  };
  // Loan i: principal (i + 1) × 1,000,000 fen; overdue principal (i + 1) × 10,000 fen.
  DAYS.forEach((days, i) => {
    loan(`Z${days}`, i, BANK, (i + 1) * 1_000_000);
    out.push(ev.loanOverdue(`Z${days}`, BANK, days, (i + 1) * 10_000, '2026-06-01'));
  });
  // Overdue, then its overdue principal repaid: back to current, in no bucket.
  loan('Zcured', 10, BANK, 3_000_000);
  out.push(
    ev.loanOverdue('Zcured', BANK, 45, 50_000, '2026-06-01'),
    ev.repaymentReceived('Zcured', BANK, 'pay-cured', 50_000, 0, '2026-06-02'),
  );
  // Another bank's 40-day loan stays out of bankZ's buckets.
  loan('Y40', 11, 'bankY', 9_000_000);
  out.push(ev.loanOverdue('Y40', 'bankY', 40, 90_000, '2026-06-01'));
  return out;
}

for (const engine of engines)
  describe(`overdue buckets at their boundaries (${engine})`, () => {
    let dir: string;
    let store: SqliteEventStore;
    let db: ReadModelDb;
    let closeDb: () => Promise<void>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'll-buckets-'));
      store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
      await appendAll(store, events());
      ({ db, close: closeDb } = await openReadModels(engine, store));
      await createProjectionRunner({ store, db, views: allViews }).catchUp();
    });
    afterAll(async () => {
      await closeDb?.();
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('1 and 30 days → 1–30, 31 and 90 → 31–90, 91 → 90+; a cured loan and another bank’s are in none', () => {
      expect(bankPortfolio(db, BANK).overdueBuckets).toEqual([
        // Z1 (principal 1,000,000, overdue 10,000) + Z30 (2,000,000, 20,000)
        { bucket: '1-30', count: 2, outstanding: 3_000_000, overdueAmount: 30_000 },
        // Z31 (3,000,000, 30,000) + Z90 (4,000,000, 40,000)
        { bucket: '31-90', count: 2, outstanding: 7_000_000, overdueAmount: 70_000 },
        // Z91 (5,000,000, 50,000)
        { bucket: '90+', count: 1, outstanding: 5_000_000, overdueAmount: 50_000 },
      ]);
      expect(bankPortfolio(db, 'bankY').overdueBuckets[1]).toEqual({
        bucket: '31-90',
        count: 1,
        outstanding: 9_000_000,
        overdueAmount: 90_000,
      });
    });
  });
