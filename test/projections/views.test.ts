import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { authorizationEvents } from '../../src/domain/authorization/events.ts';
import { creditEvents } from '../../src/domain/credit/events.ts';
import { disputeEvents } from '../../src/domain/dispute/events.ts';
import { enterpriseEvents } from '../../src/domain/enterprise/events.ts';
import { guaranteeEvents } from '../../src/domain/guarantee/events.ts';
import { loanEvents } from '../../src/domain/loan/events.ts';
import { policyEvents } from '../../src/domain/policy/events.ts';
import { productEvents } from '../../src/domain/product/events.ts';
import { riskMonitoringEvents } from '../../src/domain/riskMonitoring/events.ts';
import type { EventSchemas } from '../../src/domain/schema.ts';
import { caseFile, disputesFor, mayReadCase } from '../../projections/caseFiles.ts';
import { partyLedgers, programmeStatuses } from '../../projections/guaranteeQueries.ts';
import { allViews, createProjectionRunner, type ReadModelDb } from '../../projections/index.ts';
import { statistics } from '../../projections/statistics.ts';
import { bankPortfolio, bankReports } from '../../projections/views/bankPortfolio.ts';
import { openWarnings } from '../../projections/views/riskMonitoring.ts';
import {
  applicationsAwaitingChoice,
  productPool,
  whiteList,
} from '../../projections/views/whiteListMatching.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { engines, openReadModels } from './engines.ts';
import { appendAll } from './fixtures.ts';
import { portfolio } from './portfolio.ts';
import { E, recoveryScenario, scenario } from './scenario.ts';

const catalogue: EventSchemas = {
  ...enterpriseEvents,
  ...authorizationEvents,
  ...creditEvents,
  ...productEvents,
  ...loanEvents,
  ...guaranteeEvents,
  ...policyEvents,
  ...disputeEvents,
  ...riskMonitoringEvents,
};

/**
 * The 4321 parties of PARTIES (scenario.ts) as a programme lists them: ordered by party name in byte order
 * (both engines compare in C collation), so the upper-case G1 comes first.
 */
const PROGRAMME_PARTIES = [
  { party: 'G1', level: 'guarantor', shareBps: 3000 },
  { party: 'bankA', level: 'bank', shareBps: 2000 },
  { party: 'city-fund', level: 'local_government', shareBps: 1000 },
  { party: 'hn-finance', level: 'provincial_finance', shareBps: 1000 },
  { party: 'hn-reguarantee', level: 'provincial_reguarantee', shareBps: 1000 },
  { party: 'national-fund', level: 'national_fund', shareBps: 2000 },
];

/** Each staged event's type is in the domain's catalogue and its data parses with that schema. */
const schemaProblems = (staged: Iterable<{ event: { type: string; data: unknown } }>) => {
  const problems: { type: string; issues: unknown }[] = [];
  let checked = 0;
  for (const { event } of staged) {
    const s = catalogue[event.type];
    const issues = s ? s.schema.safeParse(event.data).error?.issues : 'not a domain event type';
    if (issues !== undefined) problems.push({ type: event.type, issues });
    checked++;
  }
  return { checked, problems };
};

describe('fixtures', () => {
  it('every fixture event is a domain event type and parses with the domain schema of its type', () => {
    const { checked, problems } = schemaProblems(scenario());
    expect(problems).toEqual([]);
    expect(checked).toBe(scenario().length);
    const types = new Set(scenario().map((s) => s.event.type));
    for (const t of [
      'GuaranteeIssued',
      'RiskSharingAgreed',
      'GuaranteeCompensated',
      'ReimbursementDue',
      'ReimbursementPaid',
      'PolicyBenefitClaimed',
      'PolicyClaimApproved',
      'DisputeFiled',
      'TribunalAssigned',
      'AwardIssued',
      'WarningRaised',
      'WarningResolved',
    ])
      expect(types).toContain(t);
  });

  it('the recovery scenario and the bench portfolio parse with the domain schemas too', () => {
    expect(schemaProblems(recoveryScenario()).problems).toEqual([]);
    const sample = [...portfolio({ enterprises: 300, loans: 600, seed: 7 })];
    expect(schemaProblems(sample).problems).toEqual([]);
    const types = new Set(sample.map((s) => s.event.type));
    for (const t of ['GuaranteeCompensated', 'ReimbursementPaid', 'AwardIssued', 'PolicyClaimApproved'])
      expect(types).toContain(t);
  });
});

// Every view test runs on both read-model engines: the same events give the same rows, to the fen.
for (const engine of engines)
  describe(`read models on ${engine}`, () => {
    let dir: string;
    let store: SqliteEventStore;
    let db: ReadModelDb;
    let closeDb: () => Promise<void>;
    const readStream = (stream: string) => store.readStream(stream);
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'proj-views-'));
      store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
      await appendAll(store, scenario());
      ({ db, close: closeDb } = await openReadModels(engine, store));
      await createProjectionRunner({ store, db, views: allViews }).catchUp();
    });
    afterAll(async () => {
      await closeDb();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    describe('regulator statistics', () => {
      const now = new Date('2026-07-01T00:00:00.000Z');
      it('cumulative figures over the whole platform, exact in fen and bps', () => {
        const r = statistics(db, { now });
        expect(r.cells).toHaveLength(1);
        expect(r.cells[0]).toEqual({
          key: {},
          suppressed: false,
          figures: {
            registeredEnterprises: 4,
            authorizationsLive: 1, // g1; g2 revoked, g4 expired
            applications: 7,
            matched: 6,
            matchRateBps: 8571,
            approvals: 5,
            rejections: 1,
            approvalRateBps: 8333,
            medianDaysToDisbursement: 5,
            disbursedCount: 5,
            disbursedAmount: 9_000_000,
            outstandingAmount: 7_600_000,
            pureCreditShareBps: 3333,
            firstTimeBorrowers: 4,
            overdueCount: 2,
            overdueAmount: 600_000,
            overdueRateByCountBps: 4000,
            overdueRateByAmountBps: 666,
            defaultCount: 1,
            defaultAmount: 2_000_000,
            defaultRateByCountBps: 2000,
            defaultRateByAmountBps: 2222,
            compensationPaid: 1_600_000,
            // due − paid per level: 400,000 − 400,000; 200,000 − 150,000; 200,000 − 0; 200,000 − 0.
            reimbursementsOutstanding: {
              local_government: 200_000,
              national_fund: 0,
              provincial_finance: 50_000,
              provincial_reguarantee: 200_000,
            },
            recoveries: 100_000,
            policySupportPaid: 12_345, // approved, not the 15,000 claimed
          },
        });
      });

      it('one month: flows in the month, rates over its disbursement cohort, no stock figures', () => {
        // February 2026: L3 (applied 02-01, no eligible product, rejected 02-03), L4 (applied 02-03,
        // approved 02-05, disbursed 02-08, 10 days overdue on 100,000), L5 (applied 02-10, approved 02-12,
        // disbursed 02-15; E1's second loan); L1's interest subsidy approved 02-20. Borrowers E1, E3, E4.
        expect(statistics(db, { month: '2026-02', now })).toEqual({
          month: '2026-02',
          groupBy: [],
          minEnterprises: 3,
          cells: [
            {
              key: {},
              suppressed: false,
              figures: {
                registeredEnterprises: 0, // all four registered in January
                authorizationsLive: null,
                applications: 3,
                matched: 2, // L4, L5 (L3's only candidate was not eligible)
                matchRateBps: 6666,
                approvals: 2,
                rejections: 1,
                approvalRateBps: 6666,
                medianDaysToDisbursement: 5, // L4 02-03 → 02-08, L5 02-10 → 02-15
                disbursedCount: 2,
                disbursedAmount: 2_000_000,
                outstandingAmount: null,
                pureCreditShareBps: 10_000, // both pA1
                firstTimeBorrowers: 1, // E4
                overdueCount: 1,
                overdueAmount: 100_000,
                overdueRateByCountBps: 5000,
                overdueRateByAmountBps: 500,
                defaultCount: 0,
                defaultAmount: 0,
                defaultRateByCountBps: 0,
                defaultRateByAmountBps: 0,
                compensationPaid: 0,
                reimbursementsOutstanding: {},
                recoveries: 0,
                policySupportPaid: 12_345,
              },
            },
          ],
        });
      });

      it('suppresses a cell with fewer enterprises than the threshold, and says why', () => {
        const byCity = statistics(db, { groupBy: ['city'], now });
        expect(byCity.cells[1]).toEqual({
          key: { city: '430200' },
          suppressed: true,
          reason: 'fewer than 3 enterprises',
          figures: null,
        });
        // Secondary suppression: the platform total is published (groupBy []), so showing 430100 would give
        // 430200 away as total − 430100; with two cities both go.
        expect(byCity.cells[0]).toEqual({
          key: { city: '430100' },
          suppressed: true,
          reason:
            'hidden so that a suppressed cell cannot be recomputed from the totals (secondary suppression)',
          figures: null,
        });
        expect(statistics(db, { now }).cells[0]!.figures!.disbursedAmount).toBe(9_000_000);
        expect(
          statistics(db, { groupBy: ['city'], minEnterprises: 1, now }).cells.map((c) => [
            c.key.city,
            c.figures?.disbursedAmount ?? null,
          ]),
        ).toEqual([
          ['430100', 8_500_000],
          ['430200', 500_000],
        ]);

        const byBank = statistics(db, { groupBy: ['bank'], now });
        const bankA = byBank.cells.find((c) => c.key.bank === 'bankA')!;
        // bankA: L1, L2, L4, L5, L6 — every disbursement, so the platform's loan figures less L3 and L7
        // (not bankA's); no enterprise figures in a bank cell.
        expect(bankA).toEqual({
          key: { bank: 'bankA' },
          suppressed: false,
          figures: {
            registeredEnterprises: null,
            authorizationsLive: null,
            applications: 5,
            matched: 5,
            matchRateBps: 10_000,
            approvals: 5,
            rejections: 0,
            approvalRateBps: 10_000,
            medianDaysToDisbursement: 5, // 4, 5, 5, 5, 14
            disbursedCount: 5,
            disbursedAmount: 9_000_000,
            outstandingAmount: 7_600_000,
            pureCreditShareBps: 3333, // L1 + L4 + L5 = 3,000,000 of 9,000,000
            firstTimeBorrowers: 4, // all but L5
            overdueCount: 2,
            overdueAmount: 600_000,
            overdueRateByCountBps: 4000,
            overdueRateByAmountBps: 666,
            defaultCount: 1,
            defaultAmount: 2_000_000,
            defaultRateByCountBps: 2000,
            defaultRateByAmountBps: 2222,
            compensationPaid: 1_600_000,
            reimbursementsOutstanding: {
              local_government: 200_000,
              national_fund: 0,
              provincial_finance: 50_000,
              provincial_reguarantee: 200_000,
            },
            recoveries: 100_000,
            policySupportPaid: 12_345,
          },
        });
        expect(byBank.cells.find((c) => c.key.bank === 'bankB')).toEqual({
          key: { bank: 'bankB' },
          suppressed: true,
          reason: 'fewer than 3 enterprises',
          figures: null,
        });
        // A lower threshold shows the cell; a higher one hides every cell.
        expect(
          statistics(db, { groupBy: ['city'], minEnterprises: 1, now }).cells.every((c) => !c.suppressed),
        ).toBe(true);
        expect(
          statistics(db, { groupBy: ['city'], minEnterprises: 5, now }).cells.every((c) => c.suppressed),
        ).toBe(true);
      });

      it('never returns an enterprise identifier or name', () => {
        const text = JSON.stringify([
          statistics(db, { groupBy: ['city', 'industry', 'size', 'bank', 'kind'], minEnterprises: 1, now }),
        ]);
        for (const u of Object.values(E)) expect(text).not.toContain(u);
        expect(text).not.toContain('企业');
      });
    });

    describe('guarantor and risk-share ledger', () => {
      it('programme loss rate against its cap: 1,600,000 / 3,600,000 guaranteed is past the 4 % cap (熔断)', () => {
        // Guaranteed at disbursement: L2 2,000,000 × 80 % + L6 4,000,000 × 50 % = 3,600,000.
        expect(programmeStatuses(db)).toEqual([
          {
            programmeId: 'hn-4321',
            guaranteedTotal: 3_600_000,
            compensationTotal: 1_600_000,
            lossRateBps: 4444,
            lossRateCapBps: 400,
            warning: true,
            breach: true,
            parties: PROGRAMME_PARTIES,
          },
        ]);
      });

      it('warning from 80 % of the cap (inclusive), breach from the cap (inclusive), on the exact rate', async () => {
        const dir2 = mkdtempSync(join(tmpdir(), 'proj-programmes-'));
        const store2 = openSqliteEventStore({ file: join(dir2, 'ledger.db') });
        try {
          const { db: db2, close } = await openReadModels(engine, store2);
          onTestFinished(close);
          await createProjectionRunner({ store: store2, db: db2, views: allViews }).catchUp(); // the tables
          // [programme, cap bps, guaranteed, compensation]. With 1,000,000 guaranteed and a 400 bps (4 %)
          // cap, 80 % of the cap is 3.2 % = 32,000 fen and the cap 40,000 fen. With a 401 bps cap, 80 % is
          // 320.8 bps = 32,080 fen: its loss rate shows as 320 bps (floored) yet the warning is on.
          const rows: [string, number | null, number, number][] = [
            ['a-below-80', 400, 1_000_000, 31_999], // 319.99 bps < 320
            ['b-at-80', 400, 1_000_000, 32_000], // exactly 320 bps
            ['c-below-cap', 400, 1_000_000, 39_999], // 399.99 bps
            ['d-at-cap', 400, 1_000_000, 40_000], // exactly 400 bps
            ['e-at-80-fraction', 401, 1_000_000, 32_080], // exactly 320.8 bps
            ['f-below-80-fraction', 401, 1_000_000, 32_079], // 320.79 bps
            ['g-no-cap', null, 1_000_000, 900_000],
          ];
          for (const r of rows)
            db2.run(
              'INSERT INTO rm_guarantees_programmes (programme_id, loss_rate_cap_bps, guaranteed_total, compensation_total) VALUES (?, ?, ?, ?)',
              ...r,
            );
          expect(
            programmeStatuses(db2).map((p) => [p.programmeId, p.lossRateBps, p.warning, p.breach]),
          ).toEqual([
            ['a-below-80', 319, false, false],
            ['b-at-80', 320, true, false],
            ['c-below-cap', 399, true, false],
            ['d-at-cap', 400, true, true],
            ['e-at-80-fraction', 320, true, false],
            ['f-below-80-fraction', 320, false, false],
            ['g-no-cap', 9000, false, false],
          ]);
        } finally {
          await store2.close();
          rmSync(dir2, { recursive: true, force: true });
        }
      });

      it('per party: exposure, compensation, reimbursements per counterparty with overdue', () => {
        // Live exposure: only L6 (L2 was compensated): 3,000,000 outstanding × 50 % = 1,500,000, weighted
        // by each party's 4321 share. Reimbursements arose on 2026-04-20; 30 days' grace → overdue after
        // 2026-05-20. The bank bears its 20 % itself (compensation is the loss less that share): it pays
        // nobody. Parties in localeCompare order (case-insensitive: bankA, city-fund, G1, …).
        const none = { recoveriesReceived: 0, recoveriesOwedOnward: 0, recoveriesOwedToParty: 0 };
        const toG1 = (due: number, paid: number) => [
          { counterparty: 'G1', due, paid, outstanding: due - paid, overdue: due - paid },
        ];
        expect(partyLedgers(db, '2026-06-30')).toEqual([
          {
            party: 'bankA',
            levels: ['bank'],
            outstandingGuaranteedPrincipal: 1_500_000,
            shareWeightedExposure: 300_000,
            compensationPaid: 0,
            reimbursementsPayable: [],
            reimbursementsReceivable: [],
            ...none,
          },
          {
            party: 'city-fund',
            levels: ['local_government'],
            outstandingGuaranteedPrincipal: 1_500_000,
            shareWeightedExposure: 150_000,
            compensationPaid: 0,
            reimbursementsPayable: toG1(200_000, 0),
            reimbursementsReceivable: [],
            ...none,
          },
          {
            party: 'G1',
            levels: ['guarantor'],
            outstandingGuaranteedPrincipal: 1_500_000,
            shareWeightedExposure: 450_000,
            compensationPaid: 1_600_000,
            reimbursementsPayable: [],
            reimbursementsReceivable: [
              { counterparty: 'city-fund', due: 200_000, paid: 0, outstanding: 200_000, overdue: 200_000 },
              {
                counterparty: 'hn-finance',
                due: 200_000,
                paid: 150_000,
                outstanding: 50_000,
                overdue: 50_000,
              },
              {
                counterparty: 'hn-reguarantee',
                due: 200_000,
                paid: 0,
                outstanding: 200_000,
                overdue: 200_000,
              },
              { counterparty: 'national-fund', due: 400_000, paid: 400_000, outstanding: 0, overdue: 0 },
            ],
            ...none,
          },
          {
            party: 'hn-finance',
            levels: ['provincial_finance'],
            outstandingGuaranteedPrincipal: 1_500_000,
            shareWeightedExposure: 150_000,
            compensationPaid: 150_000,
            reimbursementsPayable: toG1(200_000, 150_000),
            reimbursementsReceivable: [],
            ...none,
          },
          {
            party: 'hn-reguarantee',
            levels: ['provincial_reguarantee'],
            outstandingGuaranteedPrincipal: 1_500_000,
            shareWeightedExposure: 150_000,
            compensationPaid: 0,
            reimbursementsPayable: toG1(200_000, 0),
            reimbursementsReceivable: [],
            ...none,
          },
          {
            party: 'national-fund',
            levels: ['national_fund'],
            outstandingGuaranteedPrincipal: 1_500_000,
            shareWeightedExposure: 300_000,
            compensationPaid: 400_000,
            reimbursementsPayable: toG1(400_000, 400_000),
            reimbursementsReceivable: [],
            ...none,
          },
        ]);
        // Within the grace period nothing is overdue yet; a shorter grace makes it so.
        const early = partyLedgers(db, '2026-05-01', 'G1')[0]!;
        expect(early.reimbursementsReceivable.map((r) => r.overdue)).toEqual([0, 0, 0, 0]);
        const strict = partyLedgers(db, '2026-05-01', 'G1', 5)[0]!;
        expect(strict.reimbursementsReceivable.find((r) => r.counterparty === 'city-fund')!.overdue).toBe(
          200_000,
        );
      });

      it('recoveries: the guarantor receives them and owes each party the allocation the domain made', async () => {
        const dir2 = mkdtempSync(join(tmpdir(), 'proj-recovery-'));
        const store2 = openSqliteEventStore({ file: join(dir2, 'ledger.db') });
        try {
          await appendAll(store2, recoveryScenario());
          const { db: db2, close } = await openReadModels(engine, store2);
          onTestFinished(close);
          await createProjectionRunner({ store: store2, db: db2, views: allViews }).catchUp();
          // 代偿 of 1,000,000: G1 pays 800,000 (the loss less the bank's 200,000); every upper level
          // reimburses its share in full on 2026-07-20. 100,000 recovered; G1 keeps its 30 % (30,000) and
          // owes the other 70,000 onward. No LoanDisbursed for LR1, so nothing is outstanding or guaranteed.
          const settled = (due: number) => [
            { counterparty: 'G1', due, paid: due, outstanding: 0, overdue: 0 },
          ];
          const upper = (party: string, level: string, share: number, owedToParty: number) => ({
            party,
            levels: [level],
            outstandingGuaranteedPrincipal: 0,
            shareWeightedExposure: 0,
            compensationPaid: share,
            reimbursementsPayable: settled(share),
            reimbursementsReceivable: [],
            recoveriesReceived: 0,
            recoveriesOwedOnward: 0,
            recoveriesOwedToParty: owedToParty,
          });
          const fromG1 = (counterparty: string, due: number) => ({
            counterparty,
            due,
            paid: due,
            outstanding: 0,
            overdue: 0,
          });
          expect(partyLedgers(db2, '2026-12-31')).toEqual([
            {
              party: 'bankA',
              levels: ['bank'],
              outstandingGuaranteedPrincipal: 0,
              shareWeightedExposure: 0,
              compensationPaid: 0,
              reimbursementsPayable: [],
              reimbursementsReceivable: [],
              recoveriesReceived: 0,
              recoveriesOwedOnward: 0,
              recoveriesOwedToParty: 20_000,
            },
            upper('city-fund', 'local_government', 100_000, 10_000),
            {
              party: 'G1',
              levels: ['guarantor'],
              outstandingGuaranteedPrincipal: 0,
              shareWeightedExposure: 0,
              compensationPaid: 800_000,
              reimbursementsPayable: [],
              reimbursementsReceivable: [
                fromG1('city-fund', 100_000),
                fromG1('hn-finance', 100_000),
                fromG1('hn-reguarantee', 100_000),
                fromG1('national-fund', 200_000),
              ],
              recoveriesReceived: 100_000,
              recoveriesOwedOnward: 70_000,
              recoveriesOwedToParty: 0,
            },
            upper('hn-finance', 'provincial_finance', 100_000, 10_000),
            upper('hn-reguarantee', 'provincial_reguarantee', 100_000, 10_000),
            upper('national-fund', 'national_fund', 200_000, 20_000),
          ]);
          // Nothing guaranteed (no disbursement in this scenario): no loss rate, so no warning.
          expect(programmeStatuses(db2)).toEqual([
            {
              programmeId: 'hn-4321-b',
              guaranteedTotal: 0,
              compensationTotal: 800_000,
              lossRateBps: null,
              lossRateCapBps: 400,
              warning: false,
              breach: false,
              parties: PROGRAMME_PARTIES,
            },
          ]);
        } finally {
          await store2.close();
          rmSync(dir2, { recursive: true, force: true });
        }
      });
    });

    describe('bank portfolio and report-back', () => {
      it("a bank's loans by status and overdue buckets", () => {
        expect(bankPortfolio(db, 'bankA')).toEqual({
          bank: 'bankA',
          byStatus: [
            { status: 'active', count: 3, outstanding: 5_100_000, disbursed: 6_500_000 },
            { status: 'defaulted', count: 1, outstanding: 2_000_000, disbursed: 2_000_000 },
            { status: 'overdue', count: 1, outstanding: 500_000, disbursed: 500_000 },
          ],
          overdueBuckets: [
            { bucket: '1-30', count: 1, outstanding: 500_000, overdueAmount: 100_000 },
            { bucket: '31-90', count: 0, outstanding: 0, overdueAmount: 0 },
            { bucket: '90+', count: 1, outstanding: 2_000_000, overdueAmount: 500_000 },
          ],
        });
        expect(bankPortfolio(db, 'bankB').byStatus).toEqual([
          { status: 'rejected', count: 1, outstanding: 0, disbursed: 0 },
        ]);
      });

      it('report-back records of its lending, in log order', async () => {
        // Every report-back record of bankA, for all five of its loans (L7 has no bank yet), at the
        // positions of scenario.ts (0-based); `at` is the business time the event carries. The event id is
        // generated by the fixture: any string here, checked against the store below.
        const r = (
          position: number,
          loanId: string,
          eventType: string,
          amount: number | null,
          at: string,
        ) => ({
          position,
          loanId,
          eventType,
          eventId: expect.any(String),
          amount,
          at,
        });
        const bankA = bankReports(db, 'bankA');
        expect(bankA).toEqual([
          r(17, 'L1', 'LoanApproved', 1_000_000, '2026-01-07T08:00:00.000Z'),
          r(18, 'L1', 'ContractExecuted', null, '2026-01-08T08:00:00.000Z'),
          r(19, 'L1', 'LoanDisbursed', 1_000_000, '2026-01-10'),
          r(20, 'L1', 'RepaymentReceived', 404_000, '2026-02-10'), // 400,000 principal + 4,000 interest
          r(26, 'L2', 'LoanApproved', 2_000_000, '2026-01-08T08:00:00.000Z'),
          r(29, 'L2', 'ContractExecuted', null, '2026-01-10T08:00:00.000Z'),
          r(30, 'L2', 'LoanDisbursed', 2_000_000, '2026-01-20'),
          r(31, 'L2', 'LoanOverdue', 500_000, '2026-03-05'),
          r(33, 'L2', 'LoanDefaulted', 2_000_000, '2026-04-10'),
          r(41, 'L2', 'LoanRecoveryReceived', 100_000, '2026-06-01'),
          r(54, 'L4', 'LoanApproved', 500_000, '2026-02-05T08:00:00.000Z'),
          r(55, 'L4', 'LoanDisbursed', 500_000, '2026-02-08'),
          r(56, 'L4', 'LoanOverdue', 100_000, '2026-03-18'),
          r(62, 'L5', 'LoanApproved', 1_500_000, '2026-02-12T08:00:00.000Z'),
          r(63, 'L5', 'LoanDisbursed', 1_500_000, '2026-02-15'),
          r(67, 'L6', 'LoanApproved', 4_000_000, '2026-03-02T08:00:00.000Z'),
          r(70, 'L6', 'LoanDisbursed', 4_000_000, '2026-03-05'),
          r(71, 'L6', 'RepaymentReceived', 1_010_000, '2026-04-05'), // 1,000,000 + 10,000 interest
        ]);
        const bankB = bankReports(db, 'bankB');
        expect(bankB).toEqual([r(50, 'L3', 'LoanRejected', null, '2026-02-03T08:00:00.000Z')]);
        // Each record names the event at its position in the store.
        const all = (await store.readAll({ max: 10_000 })).events;
        for (const x of [...bankA, ...bankB]) expect(x.eventId).toBe(all[x.position]!.id);
      });
    });

    describe('court / arbitration case file', () => {
      it('parties, claim, evidence, award and the loan timeline with log indexes and anchor status', async () => {
        // Log indexes 0–29 anchored (final), the rest pending: L2's timeline spans 23–46, so both show.
        const file = (await caseFile(db, 'D1', 'arb-cs', (i) => (i < 30 ? 'final' : 'pending'), readStream))!;
        // The evidence bundle's hash is the fixture's (a deterministic stand-in hash of 'EV1').
        const evidence = scenario().find((s) => s.event.type === 'EvidenceSubmitted')!.event.data as {
          bundleSha256: string;
        };
        const bank = { org: 'bankA', role: 'bank' };
        const g1 = { org: 'G1', role: 'guarantor' };
        const arb = { org: 'arb-cs', role: 'arbitrator' };
        const op = { org: 'platform', role: 'operator' };
        const t = (
          logIndex: number,
          stream: string,
          revision: number,
          type: string,
          recordedAt: string,
          actor: { org: string; role: string },
        ) => ({
          logIndex,
          eventId: expect.any(String), // generated by the fixture; checked against the store below
          stream,
          revision,
          type,
          recordedAt,
          actor,
          anchor: logIndex < 30 ? 'final' : 'pending',
        });
        const [loan, guarantee, dispute] = ['loan-L2', 'guarantee-G-L2', 'dispute-D1'];
        expect(file).toEqual({
          disputeId: 'D1',
          loanId: 'L2',
          status: 'awarded',
          parties: { claimant: 'bankA', respondent: E.e2 },
          claim: { amount: 1_900_000, text: '偿还借款本息' },
          body: { org: 'arb-cs', role: 'arbitrator' },
          tribunal: 'arb-1, arb-7, arb-9',
          filedAt: '2026-06-05T08:00:00.000Z',
          evidence: [
            {
              logIndex: 45,
              submittedBy: 'bankA',
              reference: 'EV1',
              sha256: evidence.bundleSha256,
              description: 'loan contract and repayment records',
              at: '2026-06-07T08:00:00.000Z',
            },
          ],
          award: {
            awardId: 'A1',
            payments: [{ payer: E.e2, payee: 'bankA', amountFen: 1_900_000, item: '本金及利息' }],
            obligations: [],
          },
          // Log indexes from scenario.ts (0-based); not W1 (risk stream) nor any other loan's events.
          timeline: [
            t(23, loan, 0, 'LoanApplied', '2026-01-06T08:00:00.000Z', { org: E.e2, role: 'enterprise' }),
            t(24, loan, 1, 'LoanMatched', '2026-01-06T09:00:00.000Z', op),
            t(25, loan, 2, 'ProductChosen', '2026-01-06T10:00:00.000Z', { org: E.e2, role: 'enterprise' }),
            t(26, loan, 3, 'LoanApproved', '2026-01-08T08:00:00.000Z', bank),
            t(27, guarantee, 0, 'GuaranteeIssued', '2026-01-09T08:00:00.000Z', g1),
            t(28, guarantee, 1, 'RiskSharingAgreed', '2026-01-09T08:00:00.000Z', g1),
            t(29, loan, 4, 'ContractExecuted', '2026-01-10T08:00:00.000Z', op),
            t(30, loan, 5, 'LoanDisbursed', '2026-01-20T09:00:00.000Z', bank),
            t(31, loan, 6, 'LoanOverdue', '2026-03-05T01:00:00.000Z', bank),
            t(33, loan, 7, 'LoanDefaulted', '2026-04-10T02:00:00.000Z', bank),
            t(34, guarantee, 2, 'GuaranteeCompensated', '2026-04-20T06:00:00.000Z', g1),
            t(35, guarantee, 3, 'ReimbursementDue', '2026-04-20T06:00:00.000Z', g1),
            t(36, guarantee, 4, 'ReimbursementDue', '2026-04-20T06:00:00.000Z', g1),
            t(37, guarantee, 5, 'ReimbursementDue', '2026-04-20T06:00:00.000Z', g1),
            t(38, guarantee, 6, 'ReimbursementDue', '2026-04-20T06:00:00.000Z', g1),
            t(39, guarantee, 7, 'ReimbursementPaid', '2026-05-10T07:00:00.000Z', {
              org: 'national-fund',
              role: 'government_fund',
            }),
            t(40, guarantee, 8, 'ReimbursementPaid', '2026-05-25T07:00:00.000Z', {
              org: 'hn-finance',
              role: 'government_fund',
            }),
            t(41, loan, 8, 'LoanRecoveryReceived', '2026-06-01T04:00:00.000Z', bank),
            t(42, dispute, 0, 'DisputeFiled', '2026-06-05T08:00:00.000Z', bank),
            t(43, dispute, 1, 'DisputeAccepted', '2026-06-06T08:00:00.000Z', arb),
            t(44, dispute, 2, 'TribunalAssigned', '2026-06-06T12:00:00.000Z', arb),
            t(45, dispute, 3, 'EvidenceSubmitted', '2026-06-07T08:00:00.000Z', bank),
            t(46, dispute, 4, 'AwardIssued', '2026-06-20T08:00:00.000Z', arb),
          ],
        });
        // The timeline is exactly the store's events about L2 (its loan, guarantee and dispute streams),
        // each at its store position.
        const all = (await store.readAll({ max: 10_000 })).events;
        const expected = all.filter((e) => ['loan-L2', 'guarantee-G-L2', 'dispute-D1'].includes(e.stream));
        expect(file.timeline.map((t) => [t.logIndex, t.type, t.eventId])).toEqual(
          expected.map((e) => [e.position, e.type, e.id]),
        );
        // 9 loan events, 9 guarantee events (issued, agreement, 代偿, 4 due, 2 paid), 5 dispute events.
        expect(file.timeline).toHaveLength(23);
        expect(file.timeline.map((t) => t.anchor)).toEqual(
          expected.map((e) => (e.position < 30 ? 'final' : 'pending')),
        );
      });

      it('is readable only by the assigned body and the parties', async () => {
        const anchor = () => 'pending';
        for (const org of ['arb-cs', 'bankA', E.e2])
          expect(await caseFile(db, 'D1', org, anchor, readStream)).toBeDefined();
        for (const org of ['bankB', 'regulator-1', 'other-court', 'G1', ''])
          expect(await caseFile(db, 'D1', org, anchor, readStream)).toBeUndefined();
        expect(mayReadCase({ body: '', claimant: 'a', respondent: 'b' }, '')).toBe(false);
        expect(disputesFor(db, 'bankA').map((d) => d.disputeId)).toEqual(['D1']);
        expect(disputesFor(db, 'bankB')).toEqual([]);
      });
    });

    describe('white list and product matching', () => {
      it('white list with criteria, product pool with live status, applications awaiting a choice', () => {
        // E2's decision was "not listed"; E3 and E4 were never decided.
        expect(whiteList(db)).toEqual([
          {
            uscc: E.e1,
            name: '企业00000001', // the fixture names an enterprise after uscc characters 9–16
            region: '430102',
            industry: 'C3911',
            grade: 'A',
            criteria: ['grade A', 'no tax arrears'],
            decidedAt: '2026-01-04T12:01:00.000Z',
          },
        ]);
        // The fixture's products share their terms; pB1 was withdrawn on 2026-03-15.
        const product = (
          productId: string,
          bank: string,
          kind: string,
          pledgeType: string | null,
          live: boolean,
          updatedAt: string,
        ) => ({
          productId,
          bank,
          name: `产品${productId}`,
          kind,
          pledgeType,
          amountFen: { min: 1_000_000, max: 500_000_000 },
          termMonths: { min: 3, max: 36 },
          rateBps: { min: 350, max: 800 },
          eligibility: { whiteListOnly: false, minGrade: null },
          live,
          updatedAt,
        });
        expect(productPool(db)).toEqual([
          product('pA1', 'bankA', 'pure_credit', null, true, '2026-01-01T08:00:00.000Z'),
          product('pA2', 'bankA', 'guaranteed', null, true, '2026-01-01T08:00:00.000Z'),
          product('pB1', 'bankB', 'pledge', 'receivables', false, '2026-03-15T08:00:00.000Z'),
        ]);
        expect(productPool(db, true).map((p) => p.productId)).toEqual(['pA1', 'pA2']);
        expect(applicationsAwaitingChoice(db)).toEqual([
          {
            loanId: 'L7',
            uscc: E.e4,
            amountFen: 800_000,
            termMonths: 12,
            candidates: [{ rank: 1, productId: 'pA1', bank: 'bankA', eligible: true }],
            appliedAt: '2026-03-10T08:00:00.000Z',
          },
        ]);
      });
    });

    describe('risk monitoring', () => {
      it('open warnings with level, rule and age; notices owed to the institutions concerned', () => {
        const now = new Date('2026-03-16T08:00:00.000Z');
        expect(openWarnings(db, now)).toEqual([
          {
            warningId: 'W1',
            uscc: E.e2,
            loanId: 'L2',
            level: 'orange',
            rule: 'risk.overdue.30_days',
            reason: 'overdue 45 (loan-L2@7)',
            raisedAt: '2026-03-06T08:00:00.000Z',
            ageDays: 10,
          },
        ]);
        expect(openWarnings(db, now, 'G1').map((w) => w.warningId)).toEqual(['W1']);
        expect(openWarnings(db, now, 'bankB')).toEqual([]);
        expect(
          db
            .all<{ delivery_id: string }>('SELECT delivery_id FROM rm_risk_notices ORDER BY delivery_id')
            .map((r) => r.delivery_id),
        ).toEqual(['W1:raised:G1', 'W1:raised:bankA', 'W2:cleared:bankA', 'W2:raised:bankA']);
      });
    });
  });
