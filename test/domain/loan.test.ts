import { describe, expect, it } from 'vitest';
import { loanDecider } from '../../src/domain/loan/decider.ts';
import { loanEvents } from '../../src/domain/loan/events.ts';
import { rankProducts } from '../../src/domain/loan/matching.ts';
import {
  BANK,
  CONTRACT_HASH,
  GUARANTOR,
  OTHER_BANK,
  OTHER_USCC,
  product,
  profile,
  USCC,
} from './fixtures.ts';
import {
  apply,
  approve,
  bankKey,
  borrowerKey,
  c,
  choose,
  disburse,
  draft,
  match,
  run,
  signBank,
  signBorrower,
  stages,
} from './loanFlow.ts';
import { DeciderSpecification, NOW } from './specification.ts';

const spec = DeciderSpecification.for(loanDecider, loanEvents);

describe('loan: application and matching', () => {
  it('the borrower applies; nobody else can apply in its name', () => {
    spec([])
      .when(apply)
      .then([{ type: 'LoanApplied', data: { ...apply.data, appliedAt: NOW } }]);
    spec([])
      .when({ ...apply, metadata: { ...apply.metadata, actor: { role: 'enterprise', org: OTHER_USCC } } })
      .thenThrows('loan.apply.not_the_borrower');
    spec(stages.applied()).when(apply).thenThrows('loan.apply.already_applied');
  });

  it('ranks eligible products first by rate, explains every criterion, is independent of input order', () => {
    const cheap = { ...product, productId: 'p-cheap', bank: OTHER_BANK, rateMinBps: 300 };
    const whiteOnly = {
      ...product,
      productId: 'p-zz',
      eligibility: { whiteListOnly: true, minGrade: 'AAA' },
    };
    const farm = { ...product, productId: 'p-agri', targetIndustries: ['A'] };
    const req = { amountFen: 100_000_000, termMonths: 12 };
    const ranked = rankProducts(req, profile, [farm, whiteOnly, product, cheap]);
    expect(ranked.map((r) => [r.rank, r.productId, r.eligible])).toEqual([
      [1, 'p-cheap', true],
      [2, 'p-credit', true],
      [3, 'p-agri', false],
      [4, 'p-zz', false],
    ]);
    expect(ranked[2]?.reasons.find((r) => r.criterion === 'industry')).toEqual({
      criterion: 'industry',
      ok: false,
      detail: 'C3911 in A',
    });
    expect(ranked[3]?.reasons.find((r) => r.criterion === 'grade')).toMatchObject({
      ok: false,
      detail: 'grade AA vs minimum AAA',
    });
    expect(rankProducts(req, profile, [cheap, product, whiteOnly, farm])).toEqual(ranked);
  });

  it('records the match; the borrower chooses only an eligible candidate', () => {
    spec(stages.applied())
      .when(match)
      .then(([e]) => expect(e?.type).toBe('LoanMatched'));
    spec(stages.matched())
      .when(choose)
      .then([{ type: 'ProductChosen', data: { productId: 'p-credit', bank: BANK } }]);
    const tooSmall = c('MatchProducts', { profile, products: [{ ...product, amountMaxFen: 1_000 }] }, [
      'system',
      'platform',
    ]);
    spec(run([apply, tooSmall]))
      .when(choose)
      .thenThrows('loan.choose.product_not_eligible');
    spec(stages.matched())
      .when(c('ChooseProduct', { productId: 'nope' }, ['enterprise', USCC]))
      .thenThrows('loan.choose.product_not_eligible');
    spec(stages.applied()).when(choose).thenThrows('loan.choose.not_matched');
    spec(stages.matched())
      .when({ ...choose, metadata: { ...choose.metadata, actor: { role: 'bank', org: BANK } } })
      .thenThrows('loan.choose.not_the_borrower');
  });
});

describe('loan: approval, rejection, withdrawal', () => {
  it('only the chosen bank approves, within the product and the request', () => {
    spec(stages.chosen())
      .when(approve)
      .then([{ type: 'LoanApproved', data: { ...approve.data, approvedAt: NOW } }]);
    spec(stages.chosen())
      .when({ ...approve, metadata: { ...approve.metadata, actor: { role: 'bank', org: OTHER_BANK } } })
      .thenThrows('loan.approve.not_the_lender');
    spec(stages.chosen())
      .when(c('ApproveLoan', { ...approve.data, rateBps: 800 }, ['bank', BANK]))
      .thenThrows('loan.approve.outside_product_terms');
    spec(stages.chosen())
      .when(c('ApproveLoan', { ...approve.data, amountFen: 200_000_000 }, ['bank', BANK]))
      .thenThrows('loan.approve.exceeds_request');
    spec(stages.matched()).when(approve).thenThrows('loan.approve.not_pending');
  });

  it('rejects with a reason; withdrawal allowed until execution, not after', () => {
    spec(stages.chosen())
      .when(c('RejectLoan', { reason: 'insufficient cash flow' }, ['bank', BANK]))
      .then([{ type: 'LoanRejected', data: { reason: 'insufficient cash flow', rejectedAt: NOW } }]);
    spec(stages.chosen())
      .when(c('RejectLoan', { reason: 'x' }, ['bank', OTHER_BANK]))
      .thenThrows('loan.reject.not_the_lender');
    const withdraw = c('WithdrawApplication', { reason: 'found cheaper money' }, ['enterprise', USCC]);
    spec(stages.drafted())
      .when(withdraw)
      .then([
        { type: 'LoanApplicationWithdrawn', data: { reason: 'found cheaper money', withdrawnAt: NOW } },
      ]);
    spec(stages.executed()).when(withdraw).thenThrows('loan.withdraw.too_late');
    spec(stages.approved())
      .when(c('WithdrawApplication', { reason: 'x' }, ['enterprise', OTHER_USCC]))
      .thenThrows('loan.withdraw.not_the_borrower');
  });
});

describe('loan: contract', () => {
  it('drafts with borrower, lender and extra signers; executes when the last party signs', () => {
    spec(stages.approved())
      .when(
        c(
          'DraftContract',
          { documentSha256: CONTRACT_HASH, additionalSigners: [{ org: GUARANTOR, role: 'guarantor' }] },
          ['bank', BANK],
        ),
      )
      .then([
        {
          type: 'ContractDrafted',
          data: {
            documentSha256: CONTRACT_HASH,
            requiredSigners: [
              { org: USCC, role: 'enterprise' },
              { org: BANK, role: 'bank' },
              { org: GUARANTOR, role: 'guarantor' },
            ],
          },
        },
      ]);
    spec(stages.drafted())
      .when(signBorrower)
      .then((events) => expect(events.map((e) => e.type)).toEqual(['ContractSigned']));
    spec(run([signBorrower], stages.drafted()))
      .when(signBank)
      .then((events) => expect(events.map((e) => e.type)).toEqual(['ContractSigned', 'ContractExecuted']));
  });

  it('refuses a non-party, a second signature, a signature that does not verify', () => {
    spec(stages.drafted())
      .when({ ...signBank, metadata: { ...signBank.metadata, actor: { role: 'bank', org: OTHER_BANK } } })
      .thenThrows('loan.sign.not_a_party');
    spec(run([signBorrower], stages.drafted()))
      .when(signBorrower)
      .thenThrows('loan.sign.already_signed');
    spec(stages.drafted())
      .when(
        c('SignContract', { signature: bankKey.sign('ab'.repeat(32)), publicKey: bankKey.publicKey }, [
          'bank',
          BANK,
        ]),
      )
      .thenThrows('loan.sign.bad_signature');
    spec(stages.drafted())
      .when(
        c('SignContract', { signature: borrowerKey.sign(CONTRACT_HASH), publicKey: bankKey.publicKey }, [
          'bank',
          BANK,
        ]),
      )
      .thenThrows('loan.sign.bad_signature');
    spec(stages.approved())
      .when(
        c(
          'DraftContract',
          { documentSha256: CONTRACT_HASH, additionalSigners: [{ org: BANK, role: 'bank' }] },
          ['bank', BANK],
        ),
      )
      .thenThrows('loan.contract.duplicate_signer');
    spec(stages.chosen()).when(draft).thenThrows('loan.contract.not_approved');
  });
});

describe('loan: disbursement and repayment', () => {
  it('disburses only after execution, only by the lender, with the schedule fixed in the event', () => {
    spec(stages.drafted()).when(disburse).thenThrows('loan.disburse.contract_not_executed');
    spec(stages.executed())
      .when({ ...disburse, metadata: { ...disburse.metadata, actor: { role: 'bank', org: OTHER_BANK } } })
      .thenThrows('loan.disburse.not_the_lender');
    spec(stages.executed())
      .when(disburse)
      .then(([e]) => {
        const d = e?.data as { schedule: { principalFen: number; dueDate: string }[] };
        expect(d.schedule).toHaveLength(12);
        expect(d.schedule[0]?.dueDate).toBe('2026-04-02');
        expect(d.schedule.reduce((s, i) => s + i.principalFen, 0)).toBe(100_000_000);
      });
  });

  it('allocates a repayment penalty → interest → principal per instalment, refuses another bank and overpayment', () => {
    // Instalment 1: principal 8,333,333, interest round(100,000,000 · 365 / 120,000) = 304,167.
    const pay = c('RecordRepayment', { paymentId: 'pay1', amountFen: 8_700_000, paidOn: '2026-04-02' }, [
      'bank',
      BANK,
    ]);
    spec(stages.active())
      .when(pay)
      .then([
        {
          type: 'RepaymentReceived',
          data: {
            paymentId: 'pay1',
            amountFen: 8_700_000,
            paidOn: '2026-04-02',
            penaltyFen: 0,
            // 62,500 left after instalment 1 goes to instalment 2's interest (278,819) first.
            interestFen: 304_167 + 62_500,
            principalFen: 8_333_333,
            allocations: [
              { instalment: 1, interestFen: 304_167, principalFen: 8_333_333 },
              { instalment: 2, interestFen: 62_500, principalFen: 0 },
            ],
          },
        },
      ]);
    spec(stages.active())
      .when({ ...pay, metadata: { ...pay.metadata, actor: { role: 'bank', org: OTHER_BANK } } })
      .thenThrows('loan.repay.not_the_lender');
    spec(stages.active())
      .when(
        c('RecordRepayment', { paymentId: 'p', amountFen: 1_000_000_000, paidOn: '2026-04-02' }, [
          'bank',
          BANK,
        ]),
      )
      .thenThrows('loan.repay.overpayment');
    spec(run([pay], stages.active()))
      .when(pay)
      .thenThrows('loan.payment.duplicate');
    spec(stages.executed()).when(pay).thenThrows('loan.repay.not_active');
  });

  it('closes the loan when the last fen is paid', () => {
    const active = stages.active();
    const state = active.reduce(loanDecider.evolve, loanDecider.initialState());
    const owed = state.schedule.reduce((s, i) => s + i.totalFen, 0);
    spec(active)
      .when(c('RecordRepayment', { paymentId: 'all', amountFen: owed, paidOn: '2026-05-01' }, ['bank', BANK]))
      .then((events) => expect(events.map((e) => e.type)).toEqual(['RepaymentReceived', 'LoanClosed']));
  });

  it('early repayment pays exactly the payoff: accrued interest ACT/365, later interest forgone', () => {
    // 30 days after disbursement on 100,000,000 fen at 3.65%: 100,000,000 · 0.0365 · 30/365 = 300,000 fen.
    spec(stages.active())
      .when(
        c('RepayEarly', { paymentId: 'e1', amountFen: 100_300_000, paidOn: '2026-04-01' }, ['bank', BANK]),
      )
      .then((events) => {
        expect(events[0]?.data).toMatchObject({
          interestFen: 300_000,
          principalFen: 100_000_000,
          penaltyFen: 0,
        });
        expect(events[1]).toEqual({
          type: 'LoanClosed',
          data: { closedOn: '2026-04-01', reason: 'repaid_early' },
        });
      });
    spec(stages.active())
      .when(
        c('RepayEarly', { paymentId: 'e1', amountFen: 100_000_000, paidOn: '2026-04-01' }, ['bank', BANK]),
      )
      .thenThrows('loan.repay_early.amount_mismatch');
  });
});

describe('loan: overdue, penalty, default, write-off, recovery', () => {
  const overdue = c('MarkOverdue', { asOf: '2026-04-12' }, ['system', 'platform']);
  it('marks overdue with days past due of the oldest unpaid instalment', () => {
    spec(stages.active())
      .when(overdue)
      .then([
        {
          type: 'LoanOverdue',
          data: {
            asOf: '2026-04-12',
            daysPastDue: 10,
            overdueInstalments: [1],
            overduePrincipalFen: 8_333_333,
            overdueInterestFen: 304_167,
          },
        },
      ]);
    spec(stages.active())
      .when(c('MarkOverdue', { asOf: '2026-04-02' }, ['system', 'platform']))
      .thenThrows('loan.overdue.nothing_overdue');
    spec(stages.active())
      .when(c('MarkOverdue', { asOf: '2026-04-12' }, ['bank', OTHER_BANK]))
      .thenThrows('loan.overdue.actor_not_allowed');
  });

  it('charges penalty once per period and the next repayment pays it first', () => {
    const charge = c('ChargePenalty', { asOf: '2026-04-12', penaltyRateBps: 1825 }, ['bank', BANK]);
    // 8,333,333 · 18.25% · 10/365 = 41,666.665 → 41,667.
    const charged = spec(stages.active())
      .when(charge)
      .then([
        {
          type: 'PenaltyCharged',
          data: {
            fromDate: '2026-04-02',
            toDate: '2026-04-12',
            baseFen: 8_333_333,
            penaltyRateBps: 1825,
            amountFen: 41_667,
          },
        },
      ]);
    spec([...stages.active(), ...charged])
      .when(charge)
      .thenThrows('loan.penalty.already_charged');
    spec([...stages.active(), ...charged])
      .when(c('RecordRepayment', { paymentId: 'p', amountFen: 50_000, paidOn: '2026-04-12' }, ['bank', BANK]))
      .then(([e]) =>
        expect(e?.data).toMatchObject({ penaltyFen: 41_667, interestFen: 8_333, principalFen: 0 }),
      );
    spec(stages.active())
      .when(c('ChargePenalty', { asOf: '2026-04-01', penaltyRateBps: 1825 }, ['bank', BANK]))
      .thenThrows('loan.penalty.nothing_overdue');
  });

  const declare = c('DeclareDefault', { asOf: '2026-07-10', minDaysPastDue: 90 }, ['bank', BANK]);
  it('declares default only after the configured days past due, with the loss', () => {
    spec(stages.active())
      .when(c('DeclareDefault', { asOf: '2026-06-01', minDaysPastDue: 90 }, ['bank', BANK]))
      .thenThrows('loan.default.not_overdue_enough');
    spec(stages.active())
      .when(declare)
      .then(([e]) =>
        expect(e?.data).toMatchObject({
          daysPastDue: 99,
          outstandingPrincipalFen: 100_000_000,
          penaltyFen: 0,
        }),
      );
    spec(stages.active())
      .when({ ...declare, metadata: { ...declare.metadata, actor: { role: 'bank', org: OTHER_BANK } } })
      .thenThrows('loan.default.not_the_lender');
  });

  it('writes off only a defaulted loan; recoveries after write-off never exceed it; full recovery closes', () => {
    const defaulted = run([declare], stages.active());
    spec(stages.active())
      .when(c('WriteOffLoan', { writtenOffOn: '2026-08-01', reason: 'x' }, ['bank', BANK]))
      .thenThrows('loan.write_off.not_defaulted');
    const writtenOff = run(
      [c('WriteOffLoan', { writtenOffOn: '2026-08-01', reason: 'uncollectable' }, ['bank', BANK])],
      defaulted,
    );
    const amount = (writtenOff.at(-1)?.data as { amountFen: number }).amountFen;
    expect(amount).toBeGreaterThan(100_000_000);
    spec(writtenOff)
      .when(
        c('RecordRecovery', { paymentId: 'r1', amountFen: 1_000_000, paidOn: '2026-09-01' }, ['bank', BANK]),
      )
      .then([
        {
          type: 'LoanRecoveryReceived',
          data: { paymentId: 'r1', amountFen: 1_000_000, paidOn: '2026-09-01', recoveredTotalFen: 1_000_000 },
        },
      ]);
    spec(writtenOff)
      .when(
        c('RecordRecovery', { paymentId: 'r1', amountFen: amount + 1, paidOn: '2026-09-01' }, ['bank', BANK]),
      )
      .thenThrows('loan.recovery.exceeds_written_off');
    spec(writtenOff)
      .when(c('RecordRecovery', { paymentId: 'r1', amountFen: amount, paidOn: '2026-09-01' }, ['bank', BANK]))
      .then((events) =>
        expect(events.at(-1)).toEqual({
          type: 'LoanClosed',
          data: { closedOn: '2026-09-01', reason: 'recovered' },
        }),
      );
    spec(defaulted)
      .when(c('RecordRecovery', { paymentId: 'r1', amountFen: 1, paidOn: '2026-09-01' }, ['bank', BANK]))
      .thenThrows('loan.recovery.not_written_off');
    spec(defaulted)
      .when(c('RepayEarly', { paymentId: 'e', amountFen: 1, paidOn: '2026-09-01' }, ['bank', BANK]))
      .thenThrows('loan.repay_early.not_active');
  });
});
