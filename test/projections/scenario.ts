import { ev, uscc, type Staged } from './fixtures.ts';

/** A small, hand-checked portfolio: the expected figures in views.test.ts are worked out from it. */
export const E = { e1: uscc(1), e2: uscc(2), e3: uscc(3), e4: uscc(4) };
export const PARTIES = [
  { party: 'national-fund', level: 'national_fund', shareBps: 2000 },
  { party: 'hn-finance', level: 'provincial_finance', shareBps: 1000 },
  { party: 'hn-reguarantee', level: 'reguarantor', shareBps: 1000 },
  { party: 'G1', level: 'guarantor', shareBps: 3000 },
  { party: 'bankA', level: 'bank', shareBps: 2000 },
  { party: 'city-fund', level: 'government_fund', shareBps: 1000 },
];
const T = (d: string, h = '08:00') => `${d}T${h}:00.000Z`;

export function scenario(): Staged[] {
  const { e1, e2, e3, e4 } = E;
  const loan = (
    id: string,
    u: string,
    amount: number,
    product: string,
    bank: string,
    applied: string,
    eligible = true,
  ) => [
    ev.loanApplied(id, u, amount, T(applied)),
    ev.loanMatched(id, [{ productId: product, bank, eligible }], T(applied, '09:00')),
    ev.productChosen(id, u, product, bank, T(applied, '10:00')),
  ];
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
    ev.riskSharingAgreed('hn-4321', PARTIES, 400, T('2026-01-01')),
    // L1: pure credit, partly repaid; an interest subsidy.
    ...loan('L1', e1, 1_000_000, 'pA1', 'bankA', '2026-01-05'),
    ev.loanApproved('L1', 'bankA', 1_000_000, T('2026-01-07')),
    ev.contractExecuted('L1', T('2026-01-08')),
    ev.loanDisbursed('L1', 'bankA', 1_000_000, '2026-01-10'),
    ev.repaymentReceived('L1', 'bankA', 'L1-1', 400_000, 4_000, '2026-02-10'),
    ev.policySupportApproved('L1', 'interest_subsidy', 12_345, T('2026-02-20')),
    // L2: guaranteed 80 %, overdue, default, 代偿, reimbursements, a recovery, arbitration.
    ...loan('L2', e2, 2_000_000, 'pA2', 'bankA', '2026-01-06'),
    ev.loanApproved('L2', 'bankA', 2_000_000, T('2026-01-08')),
    ev.guaranteeIssued('L2', 'G1', 'hn-4321', 8000, T('2026-01-09')),
    ev.contractExecuted('L2', T('2026-01-10')),
    ev.loanDisbursed('L2', 'bankA', 2_000_000, '2026-01-20'),
    ev.loanOverdue('L2', 'bankA', 45, 500_000, '2026-03-05'),
    ev.riskWarningRaised('W1', { loanId: 'L2', uscc: e2 }, 'high', 'overdue_45d', T('2026-03-06')),
    ev.loanDefaulted('L2', 'bankA', 2_000_000, '2026-04-10'),
    ev.compensationPaid('L2', 'G1', 'bankA', 1_600_000, T('2026-04-20')),
    ev.reimbursementDue('L2', 'national-fund', 'national_fund', 'G1', 320_000, '2026-05-20', T('2026-04-21')),
    ev.reimbursementDue(
      'L2',
      'hn-finance',
      'provincial_finance',
      'G1',
      160_000,
      '2026-05-20',
      T('2026-04-21'),
    ),
    ev.reimbursementDue('L2', 'hn-reguarantee', 'reguarantor', 'G1', 160_000, '2026-05-20', T('2026-04-21')),
    ev.reimbursementDue('L2', 'city-fund', 'government_fund', 'G1', 160_000, '2026-05-20', T('2026-04-21')),
    ev.reimbursementPaid('L2', 'national-fund', 'national_fund', 'G1', 320_000, T('2026-05-10')),
    ev.loanRecoveryReceived('L2', 'bankA', 'R1', 100_000, 100_000, '2026-06-01'),
    ev.disputeFiled('D1', 'L2', 'bankA', e2, 1_900_000, 'arb-cs', T('2026-06-05')),
    ev.disputeAccepted('D1', 'arb-cs', T('2026-06-06')),
    ev.evidenceSubmitted('D1', 'bankA', 'bundle-L2', T('2026-06-07')),
    ev.awardIssued('D1', 'arb-cs', { payFen: 1_900_000, toParty: 'bankA' }, T('2026-06-20')),
    // L3: pledge, no eligible product, rejected.
    ...loan('L3', e3, 3_000_000, 'pB1', 'bankB', '2026-02-01', false),
    ev.loanRejected('L3', 'bankB', T('2026-02-03')),
    // L4: pure credit, 10 days overdue.
    ...loan('L4', e4, 500_000, 'pA1', 'bankA', '2026-02-03'),
    ev.loanApproved('L4', 'bankA', 500_000, T('2026-02-05')),
    ev.loanDisbursed('L4', 'bankA', 500_000, '2026-02-08'),
    ev.loanOverdue('L4', 'bankA', 10, 100_000, '2026-03-18'),
    ev.riskWarningRaised('W2', { uscc: e4 }, 'medium', 'utility_arrears', T('2026-03-19')),
    ev.riskWarningCleared('W2', T('2026-03-25')),
    // L5: E1's second loan (not a first-time borrower).
    ...loan('L5', e1, 1_500_000, 'pA1', 'bankA', '2026-02-10'),
    ev.loanApproved('L5', 'bankA', 1_500_000, T('2026-02-12')),
    ev.loanDisbursed('L5', 'bankA', 1_500_000, '2026-02-15'),
    // L6: guaranteed 50 %, partly repaid: outstanding exposure.
    ...loan('L6', e3, 4_000_000, 'pA2', 'bankA', '2026-03-01'),
    ev.loanApproved('L6', 'bankA', 4_000_000, T('2026-03-02')),
    ev.guaranteeIssued('L6', 'G1', 'hn-4321', 5000, T('2026-03-03')),
    ev.loanDisbursed('L6', 'bankA', 4_000_000, '2026-03-05'),
    ev.repaymentReceived('L6', 'bankA', 'L6-1', 1_000_000, 10_000, '2026-04-05'),
    // L7: matched, waiting for the enterprise to choose.
    ev.loanApplied('L7', e4, 800_000, T('2026-03-10')),
    ev.loanMatched('L7', [{ productId: 'pA1', bank: 'bankA', eligible: true }], T('2026-03-10', '09:00')),
    ev.productWithdrawn('pB1', 'bankB', T('2026-03-15')),
  ];
}
