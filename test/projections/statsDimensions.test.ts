import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationEvents } from '../../src/domain/authorization/events.ts';
import { enterpriseEvents } from '../../src/domain/enterprise/events.ts';
import { guaranteeEvents } from '../../src/domain/guarantee/events.ts';
import { loanEvents } from '../../src/domain/loan/events.ts';
import { policyEvents } from '../../src/domain/policy/events.ts';
import { productEvents } from '../../src/domain/product/events.ts';
import type { EventSchemas } from '../../src/domain/schema.ts';
import { allViews, createProjectionRunner, type ReadModelDb } from '../../projections/index.ts';
import {
  lendingByMonth,
  statistics,
  type Figures,
  type StatisticsCell,
} from '../../projections/statistics.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { engines, openReadModels } from './engines.ts';
import { appendAll, at, ev, loanToChosenProduct, uscc, type Staged } from './fixtures.ts';
import { PARTIES } from './scenario.ts';

/**
 * Exact regulator figures per dimension (issue 6 item 2): region (市州 and 县区), industry, enterprise
 * size, product kind, bank, and each bank per month. Every expected figure below is worked out by hand
 * from the fixture (the tables in the comments), never by calling the code under test, so a wrong
 * dimension copied into the stats rows — or a figure put in the wrong cell — fails here.
 *
 * Rates are integer basis points rounded DOWN (statistics.ts `rateBps`: floor(num × 10,000 / den));
 * the median of an even count is the lower middle value.
 */

const T = at;

// Nine enterprises: two cities (430100 长沙, 430200 株洲), three counties, two industries, two sizes.
//   ent  county  city    industry size   registered  authorization
//   A1   430102  430100  C3911    small  2026-01     live
//   A2   430102  430100  C3911    micro  2026-01     —
//   A3   430102  430100  G5411    small  2026-01     —
//   B1   430103  430100  C3911    small  2026-01     —
//   B2   430103  430100  G5411    micro  2026-02     live
//   C1   430202  430200  G5411    small  2026-01     expired 2026-03-01
//   C2   430202  430200  C3911    micro  2026-02     revoked
//   C3   430202  430200  G5411    micro  2026-02     —
//   N1   430202  430200  C3911    small  2026-02     — (registered, never applies)
const U = {
  A1: uscc(101),
  A2: uscc(102),
  A3: uscc(103),
  B1: uscc(201),
  B2: uscc(202),
  C1: uscc(301),
  C2: uscc(302),
  C3: uscc(303),
  N1: uscc(399),
};

// Products: bankA pA1 pure_credit, pA2 guaranteed; bankB pB1 pledge, pB2 pure_credit.
//
// Ten loans (m = matched to an eligible product; days = applied → disbursed; out = outstanding now):
//   loan ent bank  kind        applied   m  decided       disbursed        amount     days out        first  overdue   default
//   L1   A1  bankA pure_credit 01-05     1  appr 01-07    01-10          1,000,000  5    1,000,000  1      —         —
//   L2   A2  bankA guaranteed  01-06     1  appr 01-08    01-16          2,000,000  10   2,000,000  1      300,000   2,000,000
//   L3   A3  bankB pledge      01-10     1  appr 01-12    01-13          3,000,000  3    3,000,000  1      —         —
//   L4   B1  bankA pure_credit 01-20     0  rej  01-22    —
//   L5   B1  bankB pure_credit 02-01     1  appr 02-03    02-05          1,500,000  4    1,500,000  1      —         —
//   L6   B2  bankA guaranteed  02-02     1  appr 02-04    02-09          2,500,000  7    2,000,000  1      —         —
//   L7   C1  bankA pure_credit 01-25     1  appr 01-28    02-02          800,000    8    800,000    1      100,000   —
//   L8   C2  bankB pledge      02-10     1  appr 02-12    02-20          1,100,000  10   1,100,000  1      —         —
//   L9   C3  bankB pure_credit 02-15     1  rej  02-17    —
//   L10  A1  bankB pure_credit 02-11     1  appr 02-13    02-14          600,000    3    600,000    0 (A1's 2nd)
// (L6 repaid 500,000 principal: 2,500,000 − 500,000 = 2,000,000 outstanding.)
//
// Money flows:
//   L1 policy support approved 12,000 (claimed 15,000)          2026-02
//   L2 compensation (代偿) 1,600,000                             2026-02
//   L2 reimbursement due, national_fund 400,000                  2026-02
//   L2 reimbursement paid, national_fund 100,000                 2026-03
//   L2 recovery 50,000                                           2026-03
function fixture(): Staged[] {
  const loan = loanToChosenProduct;
  const disbursed = (id: string, bank: string, amount: number, approved: string, on: string) => [
    ev.loanApproved(id, bank, amount, T(approved)),
    ev.loanDisbursed(id, bank, amount, on),
  ];
  return [
    ev.enterpriseRegistered(U.A1, '430102', 'C3911', 'small', T('2026-01-02')),
    ev.enterpriseRegistered(U.A2, '430102', 'C3911', 'micro', T('2026-01-02')),
    ev.enterpriseRegistered(U.A3, '430102', 'G5411', 'small', T('2026-01-03')),
    ev.enterpriseRegistered(U.B1, '430103', 'C3911', 'small', T('2026-01-03')),
    ev.enterpriseRegistered(U.B2, '430103', 'G5411', 'micro', T('2026-02-01')),
    ev.enterpriseRegistered(U.C1, '430202', 'G5411', 'small', T('2026-01-04')),
    ev.enterpriseRegistered(U.C2, '430202', 'C3911', 'micro', T('2026-02-01')),
    ev.enterpriseRegistered(U.C3, '430202', 'G5411', 'micro', T('2026-02-02')),
    ev.enterpriseRegistered(U.N1, '430202', 'C3911', 'small', T('2026-02-03')),
    ev.authorizationGranted('g-a1', U.A1, 'bankA', T('2026-01-04'), T('2027-01-04')),
    ev.authorizationGranted('g-b2', U.B2, 'bankA', T('2026-02-01'), T('2027-02-01')),
    ev.authorizationGranted('g-c1', U.C1, 'bankA', T('2026-01-05'), T('2026-03-01')),
    ev.authorizationGranted('g-c2', U.C2, 'bankB', T('2026-02-01'), T('2027-02-01')),
    ev.authorizationRevoked('g-c2', U.C2, T('2026-02-05')),
    ev.productPublished('pA1', 'bankA', 'pure_credit', T('2026-01-01')),
    ev.productPublished('pA2', 'bankA', 'guaranteed', T('2026-01-01')),
    ev.productPublished('pB1', 'bankB', 'pledge', T('2026-01-01')),
    ev.productPublished('pB2', 'bankB', 'pure_credit', T('2026-01-01')),

    ...loan('L1', U.A1, 1_000_000, 'pA1', 'bankA', '2026-01-05'),
    ...disbursed('L1', 'bankA', 1_000_000, '2026-01-07', '2026-01-10'),
    ...loan('L2', U.A2, 2_000_000, 'pA2', 'bankA', '2026-01-06'),
    ev.loanApproved('L2', 'bankA', 2_000_000, T('2026-01-08')),
    ev.guaranteeIssued('G-L2', 'L2', 'G1', 'bankA', U.A2, 2_000_000, 8000, 1_600_000, T('2026-01-09')),
    ev.riskSharingAgreed('G-L2', 'G1', 'hn-4321', PARTIES, 400, T('2026-01-09')),
    ev.loanDisbursed('L2', 'bankA', 2_000_000, '2026-01-16'),
    ...loan('L3', U.A3, 3_000_000, 'pB1', 'bankB', '2026-01-10'),
    ...disbursed('L3', 'bankB', 3_000_000, '2026-01-12', '2026-01-13'),
    ...loan('L4', U.B1, 900_000, 'pA1', 'bankA', '2026-01-20', false),
    ev.loanRejected('L4', 'bankA', T('2026-01-22')),
    ...loan('L7', U.C1, 800_000, 'pA1', 'bankA', '2026-01-25'),
    ev.loanApproved('L7', 'bankA', 800_000, T('2026-01-28')),
    ev.loanDisbursed('L7', 'bankA', 800_000, '2026-02-02'),
    ...loan('L5', U.B1, 1_500_000, 'pB2', 'bankB', '2026-02-01'),
    ...disbursed('L5', 'bankB', 1_500_000, '2026-02-03', '2026-02-05'),
    ...loan('L6', U.B2, 2_500_000, 'pA2', 'bankA', '2026-02-02'),
    ...disbursed('L6', 'bankA', 2_500_000, '2026-02-04', '2026-02-09'),
    ev.repaymentReceived('L6', 'bankA', 'L6-1', 500_000, 9_000, '2026-03-09'),
    ...loan('L8', U.C2, 1_100_000, 'pB1', 'bankB', '2026-02-10'),
    ...disbursed('L8', 'bankB', 1_100_000, '2026-02-12', '2026-02-20'),
    ...loan('L10', U.A1, 600_000, 'pB2', 'bankB', '2026-02-11'),
    ...disbursed('L10', 'bankB', 600_000, '2026-02-13', '2026-02-14'),
    ...loan('L9', U.C3, 700_000, 'pB2', 'bankB', '2026-02-15'),
    ev.loanRejected('L9', 'bankB', T('2026-02-17')),

    ev.policyBenefitClaimed('PC1', 'L1', 'interest_subsidy', 15_000, 'bankA', T('2026-02-19')),
    ev.policyClaimApproved('L1', 'PC1', 12_000, T('2026-02-20')),
    ev.loanOverdue('L2', 'bankA', 35, 300_000, '2026-02-18'),
    ev.loanDefaulted('L2', 'bankA', 2_000_000, '2026-02-22'),
    // 代偿 of the 2,000,000 loss, split by the 4321 shares: everyone but the bank's 400,000 → 1,600,000.
    ev.guaranteeCompensated(
      'G-L2',
      'G1',
      2_000_000,
      1_600_000,
      '2026-02-25',
      PARTIES.map((p) => ({ ...p, amountFen: (2_000_000 * p.shareBps) / 10_000 })),
    ),
    ev.reimbursementDue('G-L2', 'G1', 'national-fund', 'national_fund', 400_000, '2026-02-25'),
    ev.reimbursementPaid('G-L2', 'national-fund', 100_000, 300_000, '2026-03-05'),
    ev.loanRecoveryReceived('L2', 'bankA', 'R1', 50_000, 50_000, '2026-03-10'),
    ev.loanOverdue('L7', 'bankA', 12, 100_000, '2026-03-14'),
  ];
}

it('every fixture event is a domain event type and parses with its domain schema', () => {
  const catalogue: EventSchemas = {
    ...enterpriseEvents,
    ...authorizationEvents,
    ...productEvents,
    ...loanEvents,
    ...guaranteeEvents,
    ...policyEvents,
  };
  const problems = fixture().flatMap(({ event }) => {
    const s = catalogue[event.type];
    const issues = s ? s.schema.safeParse(event.data).error?.issues : 'not a domain event type';
    return issues === undefined ? [] : [{ type: event.type, issues }];
  });
  expect(problems).toEqual([]);
});

/** A cell's figures: everything zero / empty unless given (every field is still compared exactly). */
const figures = (f: Partial<Figures>): Figures => ({
  registeredEnterprises: null,
  authorizationsLive: null,
  applications: 0,
  matched: 0,
  matchRateBps: null,
  approvals: 0,
  rejections: 0,
  approvalRateBps: null,
  medianDaysToDisbursement: null,
  disbursedCount: 0,
  disbursedAmount: 0,
  outstandingAmount: null,
  pureCreditShareBps: null,
  firstTimeBorrowers: 0,
  overdueCount: 0,
  overdueAmount: 0,
  overdueRateByCountBps: null,
  overdueRateByAmountBps: null,
  defaultCount: 0,
  defaultAmount: 0,
  defaultRateByCountBps: null,
  defaultRateByAmountBps: null,
  compensationPaid: 0,
  reimbursementsOutstanding: {},
  recoveries: 0,
  policySupportPaid: 0,
  ...f,
});
const shown = (key: StatisticsCell['key'], f: Partial<Figures>): StatisticsCell => ({
  key,
  suppressed: false,
  figures: figures(f),
});
const PRIMARY = 'fewer than 3 enterprises';
const SECONDARY =
  'hidden so that a suppressed cell cannot be recomputed from the totals (secondary suppression)';
const hidden = (key: StatisticsCell['key'], reason: string): StatisticsCell => ({
  key,
  suppressed: true,
  reason,
  figures: null,
});

// ---- Expected cells, cumulative (worked out by hand from the tables above) ----

// City 430100 = counties 430102 + 430103: A1 A2 A3 B1 B2; loans L1 L2 L3 L4 L5 L6 L10.
const city430100 = figures({
  registeredEnterprises: 5,
  authorizationsLive: 2, // A1, B2
  applications: 7,
  matched: 6, // all but L4
  matchRateBps: 8571, // 6/7 = 0.857142…
  approvals: 6, // L1 L2 L3 L5 L6 L10
  rejections: 1, // L4
  approvalRateBps: 8571, // 6/7
  medianDaysToDisbursement: 4, // [3,3,4,5,7,10] → lower middle (index 2) = 4
  disbursedCount: 6,
  disbursedAmount: 10_600_000, // 1,000,000 + 2,000,000 + 3,000,000 + 1,500,000 + 2,500,000 + 600,000
  outstandingAmount: 10_100_000, // 10,600,000 − L6's 500,000 repaid
  pureCreditShareBps: 2924, // (L1 1,000,000 + L5 1,500,000 + L10 600,000) = 3,100,000 / 10,600,000 = 0.29245…
  firstTimeBorrowers: 5, // L1 L2 L3 L5 L6 (L10 is A1's second)
  overdueCount: 1, // L2
  overdueAmount: 300_000,
  overdueRateByCountBps: 1666, // 1/6
  overdueRateByAmountBps: 283, // 300,000 / 10,600,000 = 0.028301…
  defaultCount: 1, // L2
  defaultAmount: 2_000_000,
  defaultRateByCountBps: 1666, // 1/6
  defaultRateByAmountBps: 1886, // 2,000,000 / 10,600,000 = 0.188679…
  compensationPaid: 1_600_000,
  reimbursementsOutstanding: { national_fund: 300_000 }, // 400,000 due − 100,000 paid
  recoveries: 50_000,
  policySupportPaid: 12_000, // approved, not the 15,000 claimed
});
// City 430200 = county 430202: C1 C2 C3 N1; loans L7 L8 L9.
const city430200 = figures({
  registeredEnterprises: 4, // N1 registered without borrowing
  authorizationsLive: 0, // C1 expired 2026-03-01, C2 revoked
  applications: 3,
  matched: 3,
  matchRateBps: 10_000,
  approvals: 2, // L7 L8
  rejections: 1, // L9
  approvalRateBps: 6666, // 2/3
  medianDaysToDisbursement: 8, // [8,10] → lower middle 8
  disbursedCount: 2,
  disbursedAmount: 1_900_000, // 800,000 + 1,100,000
  outstandingAmount: 1_900_000,
  pureCreditShareBps: 4210, // L7 800,000 / 1,900,000 = 0.421052…
  firstTimeBorrowers: 2,
  overdueCount: 1, // L7
  overdueAmount: 100_000,
  overdueRateByCountBps: 5000, // 1/2
  overdueRateByAmountBps: 526, // 100,000 / 1,900,000 = 0.052631…
  defaultRateByCountBps: 0,
  defaultRateByAmountBps: 0,
});

for (const engine of engines)
  describe(`regulator statistics by dimension on ${engine}`, () => {
    let dir: string;
    let store: SqliteEventStore;
    let db: ReadModelDb;
    let closeDb: () => Promise<void>;
    const now = new Date('2026-07-01T00:00:00.000Z');
    const stats = (q: Parameters<typeof statistics>[1]) => statistics(db, { now, ...q }).cells;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'proj-stats-dims-'));
      store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
      await appendAll(store, fixture());
      ({ db, close: closeDb } = await openReadModels(engine, store));
      await createProjectionRunner({ store, db, views: allViews }).catchUp();
    });
    afterAll(async () => {
      await closeDb();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('platform total (the sum every dimension below must split)', () => {
      expect(stats({})).toEqual([
        shown(
          {},
          {
            registeredEnterprises: 9,
            authorizationsLive: 2, // A1, B2
            applications: 10,
            matched: 9, // all but L4
            matchRateBps: 9000,
            approvals: 8,
            rejections: 2,
            approvalRateBps: 8000,
            medianDaysToDisbursement: 5, // [3,3,4,5,7,8,10,10] → index 3 = 5
            disbursedCount: 8,
            disbursedAmount: 12_500_000, // 10,600,000 (430100) + 1,900,000 (430200)
            outstandingAmount: 12_000_000, // − 500,000 repaid on L6
            pureCreditShareBps: 3120, // (1,000,000 + 1,500,000 + 800,000 + 600,000) = 3,900,000 / 12,500,000
            firstTimeBorrowers: 7,
            overdueCount: 2, // L2, L7
            overdueAmount: 400_000,
            overdueRateByCountBps: 2500, // 2/8
            overdueRateByAmountBps: 320, // 400,000 / 12,500,000
            defaultCount: 1,
            defaultAmount: 2_000_000,
            defaultRateByCountBps: 1250, // 1/8
            defaultRateByAmountBps: 1600, // 2,000,000 / 12,500,000
            compensationPaid: 1_600_000,
            reimbursementsOutstanding: { national_fund: 300_000 },
            recoveries: 50_000,
            policySupportPaid: 12_000,
          },
        ),
      ]);
    });

    it('by city (市州): 5 and 3 borrowers, both shown at the default threshold of 3', () => {
      const expected = [shown({ city: '430100' }, city430100), shown({ city: '430200' }, city430200)];
      expect(stats({ groupBy: ['city'] })).toEqual(expected);
      expect(stats({ groupBy: ['city'], minEnterprises: 1 })).toEqual(expected);
    });

    it('by county (县区): exact figures, and 430103 (2 borrowers) hidden with its sibling at the default', () => {
      const county430102 = figures({
        // A1 A2 A3; loans L1 L2 L3 L10.
        registeredEnterprises: 3,
        authorizationsLive: 1, // A1
        applications: 4,
        matched: 4,
        matchRateBps: 10_000,
        approvals: 4,
        rejections: 0,
        approvalRateBps: 10_000,
        medianDaysToDisbursement: 3, // [3,3,5,10] → index 1 = 3
        disbursedCount: 4,
        disbursedAmount: 6_600_000, // 1,000,000 + 2,000,000 + 3,000,000 + 600,000
        outstandingAmount: 6_600_000,
        pureCreditShareBps: 2424, // (1,000,000 + 600,000) / 6,600,000 = 0.242424…
        firstTimeBorrowers: 3, // L1 L2 L3
        overdueCount: 1, // L2
        overdueAmount: 300_000,
        overdueRateByCountBps: 2500, // 1/4
        overdueRateByAmountBps: 454, // 300,000 / 6,600,000 = 0.045454…
        defaultCount: 1,
        defaultAmount: 2_000_000,
        defaultRateByCountBps: 2500,
        defaultRateByAmountBps: 3030, // 2,000,000 / 6,600,000 = 0.303030…
        compensationPaid: 1_600_000,
        reimbursementsOutstanding: { national_fund: 300_000 },
        recoveries: 50_000,
        policySupportPaid: 12_000,
      });
      const county430103 = figures({
        // B1 B2; loans L4 L5 L6.
        registeredEnterprises: 2,
        authorizationsLive: 1, // B2
        applications: 3,
        matched: 2, // L4 had no eligible product
        matchRateBps: 6666, // 2/3
        approvals: 2,
        rejections: 1,
        approvalRateBps: 6666,
        medianDaysToDisbursement: 4, // [4,7]
        disbursedCount: 2,
        disbursedAmount: 4_000_000, // 1,500,000 + 2,500,000
        outstandingAmount: 3_500_000, // 1,500,000 + 2,000,000
        pureCreditShareBps: 3750, // 1,500,000 / 4,000,000
        firstTimeBorrowers: 2,
        overdueRateByCountBps: 0,
        overdueRateByAmountBps: 0,
        defaultRateByCountBps: 0,
        defaultRateByAmountBps: 0,
      });
      // The two counties of 430100 add up to the city.
      expect(county430102.disbursedAmount + county430103.disbursedAmount).toBe(city430100.disbursedAmount);
      expect(stats({ groupBy: ['county'], minEnterprises: 1 })).toEqual([
        shown({ county: '430102' }, county430102),
        shown({ county: '430103' }, county430103),
        shown({ county: '430202' }, city430200), // the only county of 430200
      ]);
      // Default threshold 3: 430103 has 2 borrowers (B1, B2); its city 430100 is published, so its one
      // sibling 430102 goes too. 430202 (C1 C2 C3) stays.
      expect(stats({ groupBy: ['county'] })).toEqual([
        hidden({ county: '430102' }, SECONDARY),
        hidden({ county: '430103' }, PRIMARY),
        shown({ county: '430202' }, city430200),
      ]);
    });

    it('by industry', () => {
      const expected = [
        shown(
          { industry: 'C3911' },
          {
            // A1 A2 B1 C2 N1; loans L1 L2 L4 L5 L8 L10.
            registeredEnterprises: 5,
            authorizationsLive: 1, // A1 (C2's revoked)
            applications: 6,
            matched: 5, // all but L4
            matchRateBps: 8333, // 5/6
            approvals: 5, // L1 L2 L5 L8 L10
            rejections: 1, // L4
            approvalRateBps: 8333,
            medianDaysToDisbursement: 5, // [3,4,5,10,10] → index 2
            disbursedCount: 5,
            disbursedAmount: 6_200_000, // 1,000,000 + 2,000,000 + 1,500,000 + 1,100,000 + 600,000
            outstandingAmount: 6_200_000,
            pureCreditShareBps: 5000, // (1,000,000 + 1,500,000 + 600,000) = 3,100,000 / 6,200,000
            firstTimeBorrowers: 4, // L1 L2 L5 L8
            overdueCount: 1, // L2
            overdueAmount: 300_000,
            overdueRateByCountBps: 2000, // 1/5
            overdueRateByAmountBps: 483, // 300,000 / 6,200,000 = 0.048387…
            defaultCount: 1,
            defaultAmount: 2_000_000,
            defaultRateByCountBps: 2000,
            defaultRateByAmountBps: 3225, // 2,000,000 / 6,200,000 = 0.322580…
            compensationPaid: 1_600_000,
            reimbursementsOutstanding: { national_fund: 300_000 },
            recoveries: 50_000,
            policySupportPaid: 12_000,
          },
        ),
        shown(
          { industry: 'G5411' },
          {
            // A3 B2 C1 C3; loans L3 L6 L7 L9.
            registeredEnterprises: 4,
            authorizationsLive: 1, // B2 (C1's expired)
            applications: 4,
            matched: 4,
            matchRateBps: 10_000,
            approvals: 3, // L3 L6 L7
            rejections: 1, // L9
            approvalRateBps: 7500,
            medianDaysToDisbursement: 7, // [3,7,8]
            disbursedCount: 3,
            disbursedAmount: 6_300_000, // 3,000,000 + 2,500,000 + 800,000
            outstandingAmount: 5_800_000, // 3,000,000 + 2,000,000 + 800,000
            pureCreditShareBps: 1269, // 800,000 / 6,300,000 = 0.126984…
            firstTimeBorrowers: 3,
            overdueCount: 1, // L7
            overdueAmount: 100_000,
            overdueRateByCountBps: 3333, // 1/3
            overdueRateByAmountBps: 158, // 100,000 / 6,300,000 = 0.015873…
            defaultRateByCountBps: 0,
            defaultRateByAmountBps: 0,
          },
        ),
      ];
      // 5 and 4 borrowers: shown at the default threshold too.
      expect(stats({ groupBy: ['industry'] })).toEqual(expected);
      expect(stats({ groupBy: ['industry'], minEnterprises: 1 })).toEqual(expected);
    });

    it('by enterprise size', () => {
      const expected = [
        shown(
          { size: 'micro' },
          {
            // A2 B2 C2 C3; loans L2 L6 L8 L9.
            registeredEnterprises: 4,
            authorizationsLive: 1, // B2
            applications: 4,
            matched: 4,
            matchRateBps: 10_000,
            approvals: 3, // L2 L6 L8
            rejections: 1, // L9
            approvalRateBps: 7500,
            medianDaysToDisbursement: 10, // [7,10,10]
            disbursedCount: 3,
            disbursedAmount: 5_600_000, // 2,000,000 + 2,500,000 + 1,100,000
            outstandingAmount: 5_100_000, // 2,000,000 + 2,000,000 + 1,100,000
            pureCreditShareBps: 0, // none pure credit
            firstTimeBorrowers: 3,
            overdueCount: 1, // L2
            overdueAmount: 300_000,
            overdueRateByCountBps: 3333, // 1/3
            overdueRateByAmountBps: 535, // 300,000 / 5,600,000 = 0.053571…
            defaultCount: 1,
            defaultAmount: 2_000_000,
            defaultRateByCountBps: 3333,
            defaultRateByAmountBps: 3571, // 2,000,000 / 5,600,000 = 0.357142…
            compensationPaid: 1_600_000,
            reimbursementsOutstanding: { national_fund: 300_000 },
            recoveries: 50_000,
          },
        ),
        shown(
          { size: 'small' },
          {
            // A1 A3 B1 C1 N1; loans L1 L3 L4 L5 L7 L10.
            registeredEnterprises: 5,
            authorizationsLive: 1, // A1
            applications: 6,
            matched: 5, // all but L4
            matchRateBps: 8333, // 5/6
            approvals: 5, // L1 L3 L5 L7 L10
            rejections: 1,
            approvalRateBps: 8333,
            medianDaysToDisbursement: 4, // [3,3,4,5,8]
            disbursedCount: 5,
            disbursedAmount: 6_900_000, // 1,000,000 + 3,000,000 + 1,500,000 + 800,000 + 600,000
            outstandingAmount: 6_900_000,
            pureCreditShareBps: 5652, // (1,000,000 + 1,500,000 + 800,000 + 600,000) = 3,900,000 / 6,900,000 = 0.565217…
            firstTimeBorrowers: 4, // L1 L3 L5 L7
            overdueCount: 1, // L7
            overdueAmount: 100_000,
            overdueRateByCountBps: 2000, // 1/5
            overdueRateByAmountBps: 144, // 100,000 / 6,900,000 = 0.014492…
            defaultRateByCountBps: 0,
            defaultRateByAmountBps: 0,
            policySupportPaid: 12_000, // on L1
          },
        ),
      ];
      expect(stats({ groupBy: ['size'] })).toEqual(expected);
      expect(stats({ groupBy: ['size'], minEnterprises: 1 })).toEqual(expected);
    });

    it('by product kind: pure credit vs guaranteed vs pledge; the 2-borrower kinds hidden at the default', () => {
      // Not an enterprise dimension: no registration or authorization figures.
      const guaranteed = shown(
        { kind: 'guaranteed' },
        {
          // L2 (A2), L6 (B2).
          applications: 2,
          matched: 2,
          matchRateBps: 10_000,
          approvals: 2,
          approvalRateBps: 10_000,
          medianDaysToDisbursement: 7, // [7,10]
          disbursedCount: 2,
          disbursedAmount: 4_500_000, // 2,000,000 + 2,500,000
          outstandingAmount: 4_000_000, // 2,000,000 + 2,000,000
          pureCreditShareBps: 0,
          firstTimeBorrowers: 2,
          overdueCount: 1,
          overdueAmount: 300_000,
          overdueRateByCountBps: 5000,
          overdueRateByAmountBps: 666, // 300,000 / 4,500,000 = 0.066666…
          defaultCount: 1,
          defaultAmount: 2_000_000,
          defaultRateByCountBps: 5000,
          defaultRateByAmountBps: 4444, // 2,000,000 / 4,500,000 = 0.444444…
          compensationPaid: 1_600_000,
          reimbursementsOutstanding: { national_fund: 300_000 },
          recoveries: 50_000,
        },
      );
      const pledge = shown(
        { kind: 'pledge' },
        {
          // L3 (A3), L8 (C2).
          applications: 2,
          matched: 2,
          matchRateBps: 10_000,
          approvals: 2,
          approvalRateBps: 10_000,
          medianDaysToDisbursement: 3, // [3,10]
          disbursedCount: 2,
          disbursedAmount: 4_100_000, // 3,000,000 + 1,100,000
          outstandingAmount: 4_100_000,
          pureCreditShareBps: 0,
          firstTimeBorrowers: 2,
          overdueRateByCountBps: 0,
          overdueRateByAmountBps: 0,
          defaultRateByCountBps: 0,
          defaultRateByAmountBps: 0,
        },
      );
      const pureCredit = shown(
        { kind: 'pure_credit' },
        {
          // L1 (A1), L4 (B1), L5 (B1), L7 (C1), L9 (C3), L10 (A1): 4 enterprises, at both banks.
          applications: 6,
          matched: 5, // all but L4
          matchRateBps: 8333, // 5/6
          approvals: 4, // L1 L5 L7 L10
          rejections: 2, // L4 L9
          approvalRateBps: 6666, // 4/6
          medianDaysToDisbursement: 4, // [3,4,5,8] → index 1
          disbursedCount: 4,
          disbursedAmount: 3_900_000, // 1,000,000 + 1,500,000 + 800,000 + 600,000
          outstandingAmount: 3_900_000,
          pureCreditShareBps: 10_000,
          firstTimeBorrowers: 3, // L1 L5 L7
          overdueCount: 1, // L7
          overdueAmount: 100_000,
          overdueRateByCountBps: 2500, // 1/4
          overdueRateByAmountBps: 256, // 100,000 / 3,900,000 = 0.025641…
          defaultRateByCountBps: 0,
          defaultRateByAmountBps: 0,
          policySupportPaid: 12_000,
        },
      );
      // The kinds add up to the platform: 4,500,000 + 4,100,000 + 3,900,000 = 12,500,000.
      expect(stats({ groupBy: ['kind'], minEnterprises: 1 })).toEqual([guaranteed, pledge, pureCredit]);
      // Default 3: guaranteed and pledge (2 each) are primary; two hidden in the line, so pure credit shows.
      expect(stats({ groupBy: ['kind'] })).toEqual([
        hidden({ kind: 'guaranteed' }, PRIMARY),
        hidden({ kind: 'pledge' }, PRIMARY),
        pureCredit,
      ]);
    });

    it('by bank, cumulative', () => {
      const expected = [
        shown(
          { bank: 'bankA' },
          {
            // L1 (A1), L2 (A2), L4 (B1), L6 (B2), L7 (C1).
            applications: 5,
            matched: 4, // all but L4
            matchRateBps: 8000,
            approvals: 4, // L1 L2 L6 L7
            rejections: 1, // L4
            approvalRateBps: 8000,
            medianDaysToDisbursement: 7, // [5,7,8,10] → index 1
            disbursedCount: 4,
            disbursedAmount: 6_300_000, // 1,000,000 + 2,000,000 + 2,500,000 + 800,000
            outstandingAmount: 5_800_000, // 1,000,000 + 2,000,000 + 2,000,000 + 800,000
            pureCreditShareBps: 2857, // (1,000,000 + 800,000) / 6,300,000 = 0.285714…
            firstTimeBorrowers: 4,
            overdueCount: 2, // L2 L7
            overdueAmount: 400_000, // 300,000 + 100,000
            overdueRateByCountBps: 5000, // 2/4
            overdueRateByAmountBps: 634, // 400,000 / 6,300,000 = 0.063492…
            defaultCount: 1,
            defaultAmount: 2_000_000,
            defaultRateByCountBps: 2500, // 1/4
            defaultRateByAmountBps: 3174, // 2,000,000 / 6,300,000 = 0.317460…
            compensationPaid: 1_600_000,
            reimbursementsOutstanding: { national_fund: 300_000 },
            recoveries: 50_000,
            policySupportPaid: 12_000,
          },
        ),
        shown(
          { bank: 'bankB' },
          {
            // L3 (A3), L5 (B1), L8 (C2), L9 (C3), L10 (A1).
            applications: 5,
            matched: 5,
            matchRateBps: 10_000,
            approvals: 4, // L3 L5 L8 L10
            rejections: 1, // L9
            approvalRateBps: 8000,
            medianDaysToDisbursement: 3, // [3,3,4,10] → index 1
            disbursedCount: 4,
            disbursedAmount: 6_200_000, // 3,000,000 + 1,500,000 + 1,100,000 + 600,000
            outstandingAmount: 6_200_000,
            pureCreditShareBps: 3387, // (1,500,000 + 600,000) / 6,200,000 = 0.338709…
            firstTimeBorrowers: 3, // L3 L5 L8 (L10 is A1's second loan, its first was at bankA)
            overdueRateByCountBps: 0,
            overdueRateByAmountBps: 0,
            defaultRateByCountBps: 0,
            defaultRateByAmountBps: 0,
          },
        ),
      ];
      expect(stats({ groupBy: ['bank'] })).toEqual(expected);
      expect(stats({ groupBy: ['bank'], minEnterprises: 1 })).toEqual(expected);
    });

    it('each bank per month (the monthly report): flows in the month, rates over its cohort', () => {
      // January: L1 L2 L3 L4 applied and decided; L7 applied and approved (disbursed in February).
      const jan = stats({ groupBy: ['bank'], month: '2026-01', minEnterprises: 1 });
      expect(jan).toEqual([
        shown(
          { bank: 'bankA' },
          {
            // L1 (A1), L2 (A2), L4 (B1), L7 (C1).
            applications: 4,
            matched: 3,
            matchRateBps: 7500,
            approvals: 3, // L1 L2 L7
            rejections: 1,
            approvalRateBps: 7500,
            medianDaysToDisbursement: 5, // cohort L1 L2: [5,10]
            disbursedCount: 2,
            disbursedAmount: 3_000_000,
            pureCreditShareBps: 3333, // 1,000,000 / 3,000,000
            firstTimeBorrowers: 2,
            overdueCount: 1, // L2 (its cohort month is January)
            overdueAmount: 300_000,
            overdueRateByCountBps: 5000,
            overdueRateByAmountBps: 1000, // 300,000 / 3,000,000
            defaultCount: 1,
            defaultAmount: 2_000_000,
            defaultRateByCountBps: 5000,
            defaultRateByAmountBps: 6666, // 2,000,000 / 3,000,000
          },
        ),
        shown(
          { bank: 'bankB' },
          {
            // L3 (A3).
            applications: 1,
            matched: 1,
            matchRateBps: 10_000,
            approvals: 1,
            approvalRateBps: 10_000,
            medianDaysToDisbursement: 3,
            disbursedCount: 1,
            disbursedAmount: 3_000_000,
            pureCreditShareBps: 0,
            firstTimeBorrowers: 1,
            overdueRateByCountBps: 0,
            overdueRateByAmountBps: 0,
            defaultRateByCountBps: 0,
            defaultRateByAmountBps: 0,
          },
        ),
      ]);
      // Default 3: bankB's January has one enterprise (A3); the month's total is published, so bankA goes too.
      expect(stats({ groupBy: ['bank'], month: '2026-01' })).toEqual([
        hidden({ bank: 'bankA' }, SECONDARY),
        hidden({ bank: 'bankB' }, PRIMARY),
      ]);

      // February: bankA disbursed L6 and L7 and carries L1's policy support and L2's 代偿 flows (A1, A2,
      // B2, C1: 4 enterprises); bankB L5 L8 L9 L10 (B1, C2, C3, A1: 4). Both shown at the default.
      const feb = [
        shown(
          { bank: 'bankA' },
          {
            applications: 1, // L6 (L7 was applied for in January)
            matched: 1,
            matchRateBps: 10_000,
            approvals: 1, // L6 (L7 approved in January)
            approvalRateBps: 10_000,
            medianDaysToDisbursement: 7, // [7,8]
            disbursedCount: 2, // L6 L7
            disbursedAmount: 3_300_000, // 2,500,000 + 800,000
            pureCreditShareBps: 2424, // 800,000 / 3,300,000 = 0.242424…
            firstTimeBorrowers: 2,
            overdueCount: 1, // L7
            overdueAmount: 100_000,
            overdueRateByCountBps: 5000,
            overdueRateByAmountBps: 303, // 100,000 / 3,300,000 = 0.030303…
            defaultRateByCountBps: 0,
            defaultRateByAmountBps: 0,
            compensationPaid: 1_600_000, // paid 2026-02-25 on January's L2
            reimbursementsOutstanding: { national_fund: 400_000 }, // due this month, none paid yet
            policySupportPaid: 12_000,
          },
        ),
        shown(
          { bank: 'bankB' },
          {
            applications: 4,
            matched: 4,
            matchRateBps: 10_000,
            approvals: 3, // L5 L8 L10
            rejections: 1, // L9
            approvalRateBps: 7500,
            medianDaysToDisbursement: 4, // [3,4,10]
            disbursedCount: 3,
            disbursedAmount: 3_200_000, // 1,500,000 + 1,100,000 + 600,000
            pureCreditShareBps: 6562, // (1,500,000 + 600,000) / 3,200,000 = 0.65625
            firstTimeBorrowers: 2, // L5 L8
            overdueRateByCountBps: 0,
            overdueRateByAmountBps: 0,
            defaultRateByCountBps: 0,
            defaultRateByAmountBps: 0,
          },
        ),
      ];
      expect(stats({ groupBy: ['bank'], month: '2026-02' })).toEqual(feb);
      expect(stats({ groupBy: ['bank'], month: '2026-02', minEnterprises: 1 })).toEqual(feb);

      // The two months add up to each bank's cumulative lending.
      const cumulative = stats({ groupBy: ['bank'], minEnterprises: 1 });
      for (const [i, bank] of ['bankA', 'bankB'].entries()) {
        expect(cumulative[i]!.key.bank).toBe(bank);
        expect(jan[i]!.figures!.disbursedAmount + feb[i]!.figures!.disbursedAmount).toBe(
          cumulative[i]!.figures!.disbursedAmount,
        );
      }

      // March: no lending, only L2's money flows (bankA, one enterprise A2).
      expect(stats({ groupBy: ['bank'], month: '2026-03', minEnterprises: 1 })).toEqual([
        shown(
          { bank: 'bankA' },
          {
            reimbursementsOutstanding: { national_fund: -100_000 }, // paid this month, due in February
            recoveries: 50_000,
          },
        ),
      ]);
      expect(stats({ groupBy: ['bank'], month: '2026-03' })).toEqual([hidden({ bank: 'bankA' }, PRIMARY)]);
    });

    it('platform lending per month', () => {
      // January: L1 L2 L3 = 6,000,000 (A1 A2 A3); February: L5 L6 L7 L8 L10 = 6,500,000 (B1 B2 C1 C2 A1).
      expect(lendingByMonth(db)).toEqual([
        { month: '2026-01', amount: 6_000_000, count: 3 },
        { month: '2026-02', amount: 6_500_000, count: 5 },
      ]);
    });
  });
