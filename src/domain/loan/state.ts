import type { Role } from '../../events/envelope.ts';
import type { Instalment } from '../money.ts';
import type { LoanEvent } from './events.ts';
import type { MatchCandidate } from './matching.ts';
import { SeenIds } from '../seenIds.ts';

export type LoanStatus =
  | 'none'
  | 'applied'
  | 'matched'
  | 'product_chosen'
  | 'approved'
  | 'rejected'
  | 'withdrawn'
  | 'contract_drafted'
  | 'executed'
  | 'active'
  | 'defaulted'
  | 'written_off'
  | 'closed';

export interface ScheduledInstalment extends Instalment {
  interestPaidFen: number;
  principalPaidFen: number;
}

export interface LoanState {
  status: LoanStatus;
  loanId: string | null;
  borrower: string | null;
  requested: { amountFen: number; termMonths: number } | null;
  candidates: MatchCandidate[];
  chosen: MatchCandidate | null;
  lender: string | null;
  terms: {
    amountFen: number;
    rateBps: number;
    termMonths: number;
    scheduleType: 'equal_instalment' | 'equal_principal';
  } | null;
  contract: {
    documentSha256: string;
    requiredSigners: { org: string; role: Role }[];
    signedBy: string[];
  } | null;
  disbursedOn: string | null;
  schedule: ScheduledInstalment[];
  penaltyOutstandingFen: number;
  /** Penalty has been charged up to (exclusive) this date. */
  penaltyAccruedThrough: string | null;
  paymentIds: SeenIds;
  writtenOffFen: number;
  recoveredFen: number;
}

export const initialLoanState = (): LoanState => ({
  status: 'none',
  loanId: null,
  borrower: null,
  requested: null,
  candidates: [],
  chosen: null,
  lender: null,
  terms: null,
  contract: null,
  disbursedOn: null,
  schedule: [],
  penaltyOutstandingFen: 0,
  penaltyAccruedThrough: null,
  paymentIds: SeenIds.empty(),
  writtenOffFen: 0,
  recoveredFen: 0,
});

/**
 * An instalment with what has been paid of it. Built field by field, not as `{ ...i, more }`: V8 in
 * Node 20 builds such spread copies some 50 times slower (docs/perf.md), and one shape for every
 * instalment keeps the loops over a schedule monomorphic.
 */
const paidInstalment = (
  i: Instalment,
  interestPaidFen: number,
  principalPaidFen: number,
): ScheduledInstalment => ({
  number: i.number,
  dueDate: i.dueDate,
  principalFen: i.principalFen,
  interestFen: i.interestFen,
  totalFen: i.totalFen,
  interestPaidFen,
  principalPaidFen,
});

export const evolveLoan = (state: LoanState, event: LoanEvent): LoanState => {
  switch (event.type) {
    case 'LoanApplied':
      return {
        ...state,
        status: 'applied',
        loanId: event.data.loanId,
        borrower: event.data.borrowerUscc,
        requested: { amountFen: event.data.amountFen, termMonths: event.data.termMonths },
      };
    case 'LoanMatched':
      return { ...state, status: 'matched', candidates: event.data.candidates };
    case 'ProductChosen':
      return {
        ...state,
        status: 'product_chosen',
        chosen: state.candidates.find((c) => c.productId === event.data.productId) ?? null,
        lender: event.data.bank,
      };
    case 'LoanApproved': {
      const { approvedAt: _a, ...terms } = event.data;
      return { ...state, status: 'approved', terms };
    }
    case 'LoanRejected':
      return { ...state, status: 'rejected' };
    case 'LoanApplicationWithdrawn':
      return { ...state, status: 'withdrawn' };
    case 'ContractDrafted':
      return {
        ...state,
        status: 'contract_drafted',
        contract: {
          documentSha256: event.data.documentSha256,
          requiredSigners: event.data.requiredSigners,
          signedBy: [],
        },
      };
    case 'ContractSigned':
      return state.contract
        ? {
            ...state,
            contract: { ...state.contract, signedBy: [...state.contract.signedBy, event.data.signer.org] },
          }
        : state;
    case 'ContractExecuted':
      return { ...state, status: 'executed' };
    case 'LoanDisbursed':
      return {
        ...state,
        status: 'active',
        disbursedOn: event.data.disbursedOn,
        schedule: event.data.schedule.map((i) => paidInstalment(i, 0, 0)),
      };
    case 'RepaymentReceived': {
      const byNumber = new Map(event.data.allocations.map((a) => [a.instalment, a]));
      return {
        ...state,
        paymentIds: state.paymentIds.with(event.data.paymentId),
        penaltyOutstandingFen: state.penaltyOutstandingFen - event.data.penaltyFen,
        schedule: state.schedule.map((i) => {
          const a = byNumber.get(i.number);
          return a
            ? paidInstalment(i, i.interestPaidFen + a.interestFen, i.principalPaidFen + a.principalFen)
            : i;
        }),
      };
    }
    case 'LoanRepaidEarly':
      return {
        ...state,
        paymentIds: state.paymentIds.with(event.data.paymentId),
        penaltyOutstandingFen: 0,
        schedule: state.schedule.map((i) => paidInstalment(i, i.interestPaidFen, i.principalFen)),
      };
    case 'LoanOverdue':
      return state;
    case 'PenaltyCharged':
      return {
        ...state,
        penaltyOutstandingFen: state.penaltyOutstandingFen + event.data.amountFen,
        penaltyAccruedThrough: event.data.toDate,
      };
    case 'LoanDefaulted':
      return { ...state, status: 'defaulted' };
    case 'LoanWrittenOff':
      return { ...state, status: 'written_off', writtenOffFen: event.data.amountFen };
    case 'LoanRecoveryReceived':
      return {
        ...state,
        paymentIds: state.paymentIds.with(event.data.paymentId),
        recoveredFen: event.data.recoveredTotalFen,
      };
    case 'LoanClosed':
      return { ...state, status: 'closed' };
  }
};

/** Unpaid principal and interest of the instalments due on or before `asOf` (overdue if strictly before). */
export const dueBalances = (
  state: LoanState,
  isIncluded: (i: ScheduledInstalment) => boolean,
): { instalments: ScheduledInstalment[]; principalFen: number; interestFen: number } => {
  const instalments = state.schedule.filter(
    (i) => isIncluded(i) && (i.principalPaidFen < i.principalFen || i.interestPaidFen < i.interestFen),
  );
  return {
    instalments,
    principalFen: instalments.reduce((s, i) => s + i.principalFen - i.principalPaidFen, 0),
    interestFen: instalments.reduce((s, i) => s + i.interestFen - i.interestPaidFen, 0),
  };
};

export const outstandingPrincipal = (state: LoanState): number =>
  state.schedule.reduce((s, i) => s + i.principalFen - i.principalPaidFen, 0);

/** Everything still owed under the schedule plus penalty. */
export const totalOutstanding = (state: LoanState): number => {
  let owed = state.penaltyOutstandingFen;
  for (const i of state.schedule)
    owed += i.principalFen - i.principalPaidFen + i.interestFen - i.interestPaidFen;
  return owed;
};
