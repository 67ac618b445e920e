import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GuaranteeCommand } from '../../src/domain/guarantee/commands.ts';
import { hunan4321Parties } from '../../src/domain/guarantee/config.ts';
import { guaranteeDecider, type GuaranteeState } from '../../src/domain/guarantee/decider.ts';
import { guaranteeEvents, type GuaranteeEvent } from '../../src/domain/guarantee/events.ts';
import { BANK, GUARANTOR, ORGS, OTHER_BANK, USCC } from './fixtures.ts';
import { commands, DeciderSpecification } from './specification.ts';

const spec = DeciderSpecification.for(guaranteeDecider, guaranteeEvents);
const c = commands<GuaranteeCommand>();
export const issueData = {
  guaranteeId: 'G1',
  loanId: 'L1',
  lender: BANK,
  borrowerUscc: USCC,
  principalFen: 100_000_000,
  guaranteedShareBps: 8000,
  feeBps: 100,
  borrowerExistingGuaranteedFen: 0,
  programme: {
    programmeId: 'hn-4321-2026',
    parties: hunan4321Parties(ORGS),
    lossRateCeilingBps: 400,
    singleCustomerCeilingFen: 1_000_000_000,
    currentLossRateBps: 120,
  },
};
const issue = c('IssueGuarantee', issueData, ['guarantor', GUARANTOR]);
const run = (cmds: GuaranteeCommand[], start: GuaranteeEvent[] = []): GuaranteeEvent[] => {
  const events = [...start];
  for (const cmd of cmds)
    events.push(
      ...guaranteeDecider.decide(
        cmd,
        events.reduce(guaranteeDecider.evolve, guaranteeDecider.initialState()),
      ),
    );
  return events;
};
const fold = (events: GuaranteeEvent[]): GuaranteeState =>
  events.reduce(guaranteeDecider.evolve, guaranteeDecider.initialState());
const compensate = c('CompensateBank', { lossFen: 100_012_345, paidOn: '2026-08-01' }, [
  'guarantor',
  GUARANTOR,
]);

describe('guarantee issuance and the agreement', () => {
  it('issues with fee and agreement (4321 by default)', () => {
    spec([])
      .when(issue)
      .then(([g, r]) => {
        expect(g?.data).toMatchObject({
          guaranteedAmountFen: 80_000_000,
          feeFen: 800_000,
          feeCeilingBps: 100,
        });
        expect(r?.type).toBe('RiskSharingAgreed');
      });
  });

  it('refuses shares not summing to 10,000, a fee above the ceiling, a wrong guaranteed share', () => {
    const parties = issueData.programme.parties.map((p) =>
      p.kind === 'bank' ? { ...p, shareBps: 1999 } : p,
    );
    spec([])
      .when(
        c('IssueGuarantee', { ...issueData, programme: { ...issueData.programme, parties } }, [
          'guarantor',
          GUARANTOR,
        ]),
      )
      .thenThrows('guarantee.risk_sharing.shares_not_10000');
    spec([])
      .when(c('IssueGuarantee', { ...issueData, feeBps: 101 }, ['guarantor', GUARANTOR]))
      .thenThrows('guarantee.issue.fee_above_ceiling');
    // Above 10 million yuan guaranteed the ceiling is 2 %.
    const big = {
      ...issueData,
      principalFen: 2_000_000_000,
      feeBps: 200,
      programme: { ...issueData.programme, singleCustomerCeilingFen: 3_000_000_000 },
    };
    spec([])
      .when(c('IssueGuarantee', big, ['guarantor', GUARANTOR]))
      .then(([g]) => expect(g?.data).toMatchObject({ feeCeilingBps: 200 }));
    spec([])
      .when(c('IssueGuarantee', { ...issueData, guaranteedShareBps: 10_000 }, ['guarantor', GUARANTOR]))
      .thenThrows('guarantee.issue.guaranteed_share_mismatch');
  });

  it('refuses another guarantor, another bank in the agreement, the ceilings', () => {
    spec([])
      .when(c('IssueGuarantee', issueData, ['guarantor', 'other-guarantor']))
      .thenThrows('guarantee.risk_sharing.parties_mismatch');
    spec([])
      .when(c('IssueGuarantee', { ...issueData, lender: OTHER_BANK }, ['guarantor', GUARANTOR]))
      .thenThrows('guarantee.risk_sharing.parties_mismatch');
    spec([])
      .when(
        c('IssueGuarantee', { ...issueData, borrowerExistingGuaranteedFen: 950_000_000 }, [
          'guarantor',
          GUARANTOR,
        ]),
      )
      .thenThrows('guarantee.issue.single_customer_ceiling');
    spec([])
      .when(
        c(
          'IssueGuarantee',
          { ...issueData, programme: { ...issueData.programme, currentLossRateBps: 400 } },
          ['guarantor', GUARANTOR],
        ),
      )
      .thenThrows('guarantee.issue.loss_rate_ceiling_reached');
    spec([])
      .when(c('IssueGuarantee', issueData, ['bank', BANK]))
      .thenThrows('guarantee.issue.not_a_guarantor');
  });
});

describe('compensation (代偿), reimbursement, recovery (追偿)', () => {
  it('compensates the bank for all but its own share, once; upper levels owe their shares', () => {
    const events = spec(run([issue]))
      .when(compensate)
      .then((e) => {
        expect(e.map((x) => x.type)).toEqual([
          'GuaranteeCompensated',
          'ReimbursementDue',
          'ReimbursementDue',
          'ReimbursementDue',
          'ReimbursementDue',
        ]);
        // 100,012,345 split 20/10/10/30/20/10 %: floors leave 2 fen; the four half-fen remainders tie and
        // the first two listed (provincial finance, provincial re-guarantee) take one fen each.
        expect(e[0]?.data).toMatchObject({ lossFen: 100_012_345, compensatedFen: 100_012_345 - 20_002_469 });
      });
    expect(events.slice(1).map((e) => e.data)).toEqual([
      { org: 'ncgf', kind: 'national_fund', amountFen: 20_002_469 },
      { org: 'hn-finance', kind: 'provincial_finance', amountFen: 10_001_235 },
      { org: 'hn-reguarantee', kind: 'provincial_reguarantee', amountFen: 10_001_235 },
      { org: 'changsha-gov', kind: 'local_government', amountFen: 10_001_234 },
    ]);
    spec(run([issue, compensate]))
      .when(compensate)
      .thenThrows('guarantee.compensate.already_compensated');
    spec(run([issue]))
      .when(c('CompensateBank', compensate.data, ['guarantor', 'other']))
      .thenThrows('guarantee.compensate.not_the_guarantor');
  });

  it('records reimbursements by the party only, never above what is due', () => {
    const given = run([issue, compensate]);
    spec(given)
      .when(
        c('RecordReimbursement', { amountFen: 10_001_234, paidOn: '2026-09-01' }, [
          'government_fund',
          'changsha-gov',
        ]),
      )
      .then([
        {
          type: 'ReimbursementPaid',
          data: { org: 'changsha-gov', amountFen: 10_001_234, paidOn: '2026-09-01', remainingFen: 0 },
        },
      ]);
    spec(given)
      .when(
        c('RecordReimbursement', { amountFen: 10_001_235, paidOn: '2026-09-01' }, [
          'government_fund',
          'changsha-gov',
        ]),
      )
      .thenThrows('guarantee.reimburse.exceeds_due');
    spec(given)
      .when(c('RecordReimbursement', { amountFen: 1, paidOn: '2026-09-01' }, ['bank', BANK]))
      .thenThrows('guarantee.reimburse.not_due');
  });

  it('shares recoveries only after all reimbursements, never beyond the loss', () => {
    const compensated = run([issue, compensate]);
    const recover = c(
      'ShareRecovery',
      { recoveryId: 'R1', amountFen: 10_000_000, recoveredOn: '2026-10-01' },
      ['guarantor', GUARANTOR],
    );
    spec(compensated).when(recover).thenThrows('guarantee.recovery.reimbursements_outstanding');
    const settled = run(
      fold(compensated)
        .parties.filter((p) => p.reimbursementDueFen > 0)
        .map((p) =>
          c('RecordReimbursement', { amountFen: p.reimbursementDueFen, paidOn: '2026-09-01' }, [
            'government_fund',
            p.org,
          ]),
        ),
      compensated,
    );
    spec(settled)
      .when(recover)
      .then([
        {
          type: 'RecoveryShared',
          data: {
            ...recover.data,
            allocations: [
              { org: 'ncgf', amountFen: 2_000_000 },
              { org: 'hn-finance', amountFen: 1_000_000 },
              { org: 'hn-reguarantee', amountFen: 1_000_000 },
              { org: GUARANTOR, amountFen: 3_000_000 },
              { org: BANK, amountFen: 2_000_000 },
              { org: 'changsha-gov', amountFen: 1_000_000 },
            ],
          },
        },
      ]);
    spec(settled)
      .when(c('ShareRecovery', { ...recover.data, amountFen: 100_012_346 }, ['guarantor', GUARANTOR]))
      .thenThrows('guarantee.recovery.exceeds_loss');
  });

  it('property: shares always sum to the loss; recoveries never exceed what each party bore', () => {
    const sharesArb = fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 6 }).map((w) => {
      // Scale arbitrary weights to bps summing to exactly 10,000 (largest remainder again).
      const total = w.reduce((s, x) => s + x, 0);
      const bps = w.map((x) => Math.floor((x * 10_000) / total));
      bps[0] = (bps[0] as number) + 10_000 - bps.reduce((s, x) => s + x, 0);
      return bps;
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.constant([2000, 1000, 1000, 3000, 2000, 1000]), sharesArb),
        fc.integer({ min: 1, max: 1e13 }),
        fc.array(fc.integer({ min: 1, max: 1e13 }), { maxLength: 6 }),
        (shares, loss, recoveryWishes) => {
          const kinds = [
            'guarantor',
            'bank',
            'national_fund',
            'provincial_finance',
            'provincial_reguarantee',
            'local_government',
          ] as const;
          const parties = shares.map((s, i) => ({
            org: `org${i}`,
            kind: kinds[i] ?? ('other' as const),
            shareBps: s,
          }));
          const guarantor = 'org0';
          const bank = parties.find((p) => p.kind === 'bank')?.shareBps ?? 0;
          let events = run([
            c(
              'IssueGuarantee',
              {
                ...issueData,
                lender: 'org1',
                feeBps: 0,
                guaranteedShareBps: 10_000 - bank,
                programme: {
                  ...issueData.programme,
                  parties,
                  singleCustomerCeilingFen: Number.MAX_SAFE_INTEGER,
                },
              },
              ['guarantor', guarantor],
            ),
            c('CompensateBank', { lossFen: loss, paidOn: '2026-08-01' }, ['guarantor', guarantor]),
          ]);
          const compensated = fold(events);
          expect(compensated.parties.reduce((s, p) => s + p.lossShareFen, 0)).toBe(loss);
          events = run(
            compensated.parties
              .filter((p) => p.reimbursementDueFen > 0)
              .map((p) =>
                c('RecordReimbursement', { amountFen: p.reimbursementDueFen, paidOn: '2026-09-01' }, [
                  'government_fund',
                  p.org,
                ]),
              ),
            events,
          );
          let left = loss;
          recoveryWishes.forEach((wish, k) => {
            const amount = Math.min(wish, left);
            if (amount === 0) return;
            events = run(
              [
                c('ShareRecovery', { recoveryId: `R${k}`, amountFen: amount, recoveredOn: '2026-10-01' }, [
                  'guarantor',
                  guarantor,
                ]),
              ],
              events,
            );
            const last = events.at(-1) as Extract<GuaranteeEvent, { type: 'RecoveryShared' }>;
            expect(last.data.allocations.reduce((s, a) => s + a.amountFen, 0)).toBe(amount);
            left -= amount;
          });
          for (const p of fold(events).parties) {
            // What each party bore: the bank its share; the guarantor compensation less reimbursements; upper levels their reimbursements.
            const paid =
              p.kind === 'bank' ? p.lossShareFen : p.kind === 'guarantor' ? p.lossShareFen : p.reimbursedFen;
            expect(p.recoveredFen).toBeLessThanOrEqual(paid);
            expect(p.recoveredFen).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
