import { at, ev, loanToChosenProduct, uscc, type RiskParty, type Staged } from './fixtures.ts';

/** A small, hand-checked portfolio: the expected figures in views.test.ts are worked out from it. */
export const E = { e1: uscc(1), e2: uscc(2), e3: uscc(3), e4: uscc(4) };
/** Hunan 4321: province and above 40 % (20 + 10 + 10), guarantor 30 %, bank 20 %, city/county 10 %. */
export const PARTIES: RiskParty[] = [
  { org: 'national-fund', kind: 'national_fund', shareBps: 2000 },
  { org: 'hn-finance', kind: 'provincial_finance', shareBps: 1000 },
  { org: 'hn-reguarantee', kind: 'provincial_reguarantee', shareBps: 1000 },
  { org: 'G1', kind: 'guarantor', shareBps: 3000 },
  { org: 'bankA', kind: 'bank', shareBps: 2000 },
  { org: 'city-fund', kind: 'local_government', shareBps: 1000 },
];
/** L2's loss of 2,000,000 split by PARTIES' shares: 20 % = 400,000, 10 % = 200,000, 30 % = 600,000. */
const L2_LOSS_SHARES = [400_000, 200_000, 200_000, 600_000, 400_000, 200_000];
const T = at;

export function scenario(): Staged[] {
  const { e1, e2, e3, e4 } = E;
  const loan = loanToChosenProduct;
  return [
    ev.enterpriseRegistered(e1, '430102', 'C3911', 'small', T('2026-01-02')),
    ev.enterpriseRegistered(e2, '430103', 'C3911', 'small', T('2026-01-02')),
    ev.enterpriseRegistered(e3, '430104', 'G5411', 'medium', T('2026-01-03')),
    ev.enterpriseRegistered(e4, '430202', 'G5411', 'micro', T('2026-01-03')),
    ev.authorizationGranted('g1', e1, 'bankA', T('2026-01-04'), T('2027-01-04')),
    ev.authorizationGranted('g2', e2, 'bankA', T('2026-01-04'), T('2027-01-04')),
    ev.authorizationRevoked('g2', e2, T('2026-01-20')),
    ev.authorizationGranted('g4', e4, 'bankA', T('2026-01-04'), T('2026-01-31')),
    ev.creditEvaluated(e1, 'A', 780, T('2026-01-04', '12:00')),
    ev.whiteListDecided(e1, true, ['grade A', 'no tax arrears'], T('2026-01-04', '12:01')),
    ev.whiteListDecided(e2, false, ['score below 600'], T('2026-01-04', '12:02')),
    ev.productPublished('pA1', 'bankA', 'pure_credit', T('2026-01-01')),
    ev.productPublished('pA2', 'bankA', 'guaranteed', T('2026-01-01')),
    ev.productPublished('pB1', 'bankB', 'pledge', T('2026-01-01')),
    // L1: pure credit, partly repaid; an interest subsidy.
    ...loan('L1', e1, 1_000_000, 'pA1', 'bankA', '2026-01-05'),
    ev.loanApproved('L1', 'bankA', 1_000_000, T('2026-01-07')),
    ev.contractExecuted('L1', T('2026-01-08')),
    ev.loanDisbursed('L1', 'bankA', 1_000_000, '2026-01-10'),
    ev.repaymentReceived('L1', 'bankA', 'L1-1', 400_000, 4_000, '2026-02-10'),
    ev.policyBenefitClaimed('PC1', 'L1', 'interest_subsidy', 15_000, 'bankA', T('2026-02-19')),
    ev.policyClaimApproved('L1', 'PC1', 12_345, T('2026-02-20')),
    // L2: guaranteed 80 %, overdue, default, 代偿, reimbursements, a recovery, arbitration.
    ...loan('L2', e2, 2_000_000, 'pA2', 'bankA', '2026-01-06'),
    ev.loanApproved('L2', 'bankA', 2_000_000, T('2026-01-08')),
    ev.guaranteeIssued('G-L2', 'L2', 'G1', 'bankA', e2, 2_000_000, 8000, 1_600_000, T('2026-01-09')),
    ev.riskSharingAgreed('G-L2', 'G1', 'hn-4321', PARTIES, 400, T('2026-01-09')),
    ev.contractExecuted('L2', T('2026-01-10')),
    ev.loanDisbursed('L2', 'bankA', 2_000_000, '2026-01-20'),
    ev.loanOverdue('L2', 'bankA', 45, 500_000, '2026-03-05'),
    ev.warningRaised(
      'W1',
      e2,
      'orange',
      'risk.overdue.30_days',
      { kind: 'overdue', value: 45, sourceRef: 'loan-L2@7' },
      T('2026-03-06'),
    ),
    ev.loanDefaulted('L2', 'bankA', 2_000_000, '2026-04-10'),
    // 代偿 of the 2,000,000 loss: everyone but the bank (its 400,000 share) → 1,600,000 paid by G1.
    ev.guaranteeCompensated(
      'G-L2',
      'G1',
      2_000_000,
      1_600_000,
      '2026-04-20',
      PARTIES.map((p, i) => ({ ...p, amountFen: L2_LOSS_SHARES[i]! })),
    ),
    ev.reimbursementDue('G-L2', 'G1', 'national-fund', 'national_fund', 400_000, '2026-04-20'),
    ev.reimbursementDue('G-L2', 'G1', 'hn-finance', 'provincial_finance', 200_000, '2026-04-20'),
    ev.reimbursementDue('G-L2', 'G1', 'hn-reguarantee', 'provincial_reguarantee', 200_000, '2026-04-20'),
    ev.reimbursementDue('G-L2', 'G1', 'city-fund', 'local_government', 200_000, '2026-04-20'),
    ev.reimbursementPaid('G-L2', 'national-fund', 400_000, 0, '2026-05-10'),
    ev.reimbursementPaid('G-L2', 'hn-finance', 150_000, 50_000, '2026-05-25'),
    ev.loanRecoveryReceived('L2', 'bankA', 'R1', 100_000, 100_000, '2026-06-01'),
    ev.disputeFiled('D1', 'L2', 'bankA', e2, 1_900_000, 'arb-cs', T('2026-06-05')),
    ev.disputeAccepted('D1', 'arb-cs', T('2026-06-06')),
    ev.tribunalAssigned('D1', 'arb-cs', ['arb-1', 'arb-7', 'arb-9'], T('2026-06-06', '12:00')),
    ev.evidenceSubmitted('D1', 'bankA', 'EV1', T('2026-06-07')),
    ev.awardIssued(
      'D1',
      'arb-cs',
      'A1',
      [{ payer: e2, payee: 'bankA', amountFen: 1_900_000, item: '本金及利息' }],
      T('2026-06-20'),
    ),
    // L3: pledge, no eligible product, rejected.
    ...loan('L3', e3, 3_000_000, 'pB1', 'bankB', '2026-02-01', false),
    ev.loanRejected('L3', 'bankB', T('2026-02-03')),
    // L4: pure credit, 10 days overdue.
    ...loan('L4', e4, 500_000, 'pA1', 'bankA', '2026-02-03'),
    ev.loanApproved('L4', 'bankA', 500_000, T('2026-02-05')),
    ev.loanDisbursed('L4', 'bankA', 500_000, '2026-02-08'),
    ev.loanOverdue('L4', 'bankA', 10, 100_000, '2026-03-18'),
    ev.warningRaised(
      'W2',
      e4,
      'yellow',
      'risk.utility.arrears',
      { kind: 'utility_arrears', value: 0, sourceRef: `credit-${e4}@3` },
      T('2026-03-19'),
    ),
    ev.warningResolved('W2', e4, T('2026-03-25')),
    // L5: E1's second loan (not a first-time borrower).
    ...loan('L5', e1, 1_500_000, 'pA1', 'bankA', '2026-02-10'),
    ev.loanApproved('L5', 'bankA', 1_500_000, T('2026-02-12')),
    ev.loanDisbursed('L5', 'bankA', 1_500_000, '2026-02-15'),
    // L6: guaranteed 50 %, partly repaid: outstanding exposure.
    ...loan('L6', e3, 4_000_000, 'pA2', 'bankA', '2026-03-01'),
    ev.loanApproved('L6', 'bankA', 4_000_000, T('2026-03-02')),
    ev.guaranteeIssued('G-L6', 'L6', 'G1', 'bankA', e3, 4_000_000, 5000, 2_000_000, T('2026-03-03')),
    ev.riskSharingAgreed('G-L6', 'G1', 'hn-4321', PARTIES, 400, T('2026-03-03')),
    ev.loanDisbursed('L6', 'bankA', 4_000_000, '2026-03-05'),
    ev.repaymentReceived('L6', 'bankA', 'L6-1', 1_000_000, 10_000, '2026-04-05'),
    // L7: matched, waiting for the enterprise to choose.
    ev.loanApplied('L7', e4, 800_000, T('2026-03-10')),
    ev.loanMatched('L7', [{ productId: 'pA1', bank: 'bankA', eligible: true }], T('2026-03-10', '09:00')),
    ev.productWithdrawn('pB1', 'bankB', T('2026-03-15')),
  ];
}

/**
 * A guarantee on its own (no loan events): 代偿 of a 1,000,000 loss, every upper level reimburses in
 * full, then the guarantor shares a 100,000 recovery back in the 4321 proportions (the domain only allows
 * ShareRecovery once every reimbursement is paid, which the main scenario's L2 is not).
 */
export function recoveryScenario(): Staged[] {
  const loss = [200_000, 100_000, 100_000, 300_000, 200_000, 100_000];
  const recovered = [20_000, 10_000, 10_000, 30_000, 20_000, 10_000];
  return [
    ev.guaranteeIssued('G-R1', 'LR1', 'G1', 'bankA', E.e3, 1_000_000, 8000, 800_000, T('2026-07-01')),
    ev.riskSharingAgreed('G-R1', 'G1', 'hn-4321-b', PARTIES, 400, T('2026-07-01')),
    ev.guaranteeCompensated(
      'G-R1',
      'G1',
      1_000_000,
      800_000,
      '2026-07-10',
      PARTIES.map((p, i) => ({ ...p, amountFen: loss[i]! })),
    ),
    ...PARTIES.filter((p) => p.kind !== 'guarantor' && p.kind !== 'bank').flatMap((p) => [
      ev.reimbursementDue('G-R1', 'G1', p.org, p.kind, loss[PARTIES.indexOf(p)]!, '2026-07-10'),
    ]),
    ...PARTIES.filter((p) => p.kind !== 'guarantor' && p.kind !== 'bank').map((p) =>
      ev.reimbursementPaid('G-R1', p.org, loss[PARTIES.indexOf(p)]!, 0, '2026-07-20'),
    ),
    ev.recoveryShared(
      'G-R1',
      'G1',
      'R1',
      100_000,
      '2026-08-01',
      PARTIES.map((p, i) => ({ org: p.org, amountFen: recovered[i]! })),
    ),
  ];
}
