import { ed25519 } from '@noble/curves/ed25519.js';
import { ensure, requireActor } from '../actor.ts';
import { domainError, type Decider } from '../decider.ts';
import { allocateInOrder, buildSchedule, daysBetween, interestForPeriod } from '../money.ts';
import type { LoanCommand } from './commands.ts';
import type { LoanEvent } from './events.ts';
import { rankProducts } from './matching.ts';
import {
  dueBalances,
  evolveLoan,
  initialLoanState,
  outstandingPrincipal,
  totalOutstanding,
  type LoanState,
} from './state.ts';

const WITHDRAWABLE = new Set(['applied', 'matched', 'product_chosen', 'approved', 'contract_drafted']);

const verifySignature = (hashHex: string, signatureB64: string, publicKeyB64: string): boolean => {
  try {
    const sig = Buffer.from(signatureB64, 'base64');
    const pub = Buffer.from(publicKeyB64, 'base64');
    if (sig.length !== 64 || pub.length !== 32) return false;
    return ed25519.verify(sig, Buffer.from(hashHex, 'hex'), pub, { zip215: false });
  } catch {
    return false;
  }
};

/** Days past due of the oldest unpaid instalment due before `asOf`, with the overdue balances. */
const overdueAsOf = (state: LoanState, asOf: string) => {
  const due = dueBalances(state, (i) => i.dueDate < asOf);
  const oldest = due.instalments[0];
  return { ...due, daysPastDue: oldest ? daysBetween(oldest.dueDate, asOf) : 0 };
};

// Guards at module level, not closures made in every `decide`: each closure cost an allocation and,
// under tsx (esbuild keeps function names), a defineProperty (~0.5 % of the request thread under load).
const lenderOnly = (metadata: LoanCommand['metadata'], state: LoanState, rule: string): void =>
  requireActor(metadata, rule, [{ role: 'bank', org: state.lender ?? '\u0000' }]);
const borrowerOnly = (metadata: LoanCommand['metadata'], state: LoanState, rule: string): void =>
  requireActor(metadata, rule, [{ role: 'enterprise', org: state.borrower ?? '\u0000' }]);
const inStatus = (state: LoanState, rule: string, ...statuses: LoanState['status'][]): void => {
  if (!statuses.includes(state.status))
    throw domainError(rule, `not allowed while the loan is ${state.status}`, {
      status: state.status,
      allowed: statuses,
    });
};
const freshPayment = (state: LoanState, paymentId: string): void =>
  ensure(!state.paymentIds.has(paymentId), 'loan.payment.duplicate', 'this payment id was already recorded');

const decide = (command: LoanCommand, state: LoanState): LoanEvent[] => {
  const { metadata } = command;
  const now = metadata.now;

  switch (command.type) {
    case 'ApplyForLoan': {
      const d = command.data;
      ensure(state.status === 'none', 'loan.apply.already_applied', 'loan id already used');
      requireActor(metadata, 'loan.apply.not_the_borrower', [{ role: 'enterprise', org: d.borrowerUscc }]);
      return [{ type: 'LoanApplied', data: { ...d, appliedAt: now } }];
    }
    case 'MatchProducts': {
      inStatus(state, 'loan.match.not_open', 'applied', 'matched');
      requireActor(metadata, 'loan.match.actor_not_allowed', [
        'operator',
        'system',
        { role: 'enterprise', org: state.borrower as string },
      ]);
      const candidates = rankProducts(
        state.requested as { amountFen: number; termMonths: number },
        command.data.profile,
        command.data.products,
      );
      return [{ type: 'LoanMatched', data: { candidates, matchedAt: now } }];
    }
    case 'ChooseProduct': {
      inStatus(state, 'loan.choose.not_matched', 'matched');
      borrowerOnly(metadata, state, 'loan.choose.not_the_borrower');
      const c = state.candidates.find((x) => x.productId === command.data.productId);
      ensure(
        c !== undefined && c.eligible,
        'loan.choose.product_not_eligible',
        'that product was not an eligible match',
        {
          productId: command.data.productId,
        },
      );
      return [
        {
          type: 'ProductChosen',
          data: { productId: command.data.productId, bank: (c as { bank: string }).bank },
        },
      ];
    }
    case 'ApproveLoan': {
      const d = command.data;
      inStatus(state, 'loan.approve.not_pending', 'product_chosen');
      lenderOnly(metadata, state, 'loan.approve.not_the_lender');
      const p = state.chosen;
      const req = state.requested;
      ensure(
        !!req && d.amountFen <= req.amountFen,
        'loan.approve.exceeds_request',
        'cannot approve more than was requested',
      );
      ensure(
        !!p &&
          d.amountFen >= p.amountMinFen &&
          d.amountFen <= p.amountMaxFen &&
          d.termMonths >= p.termMinMonths &&
          d.termMonths <= p.termMaxMonths &&
          d.rateBps >= p.rateMinBps &&
          d.rateBps <= p.rateMaxBps,
        'loan.approve.outside_product_terms',
        "the terms are outside the chosen product's ranges",
      );
      return [{ type: 'LoanApproved', data: { ...d, approvedAt: now } }];
    }
    case 'RejectLoan':
      inStatus(state, 'loan.reject.not_pending', 'product_chosen');
      lenderOnly(metadata, state, 'loan.reject.not_the_lender');
      return [{ type: 'LoanRejected', data: { reason: command.data.reason, rejectedAt: now } }];
    case 'WithdrawApplication':
      ensure(
        WITHDRAWABLE.has(state.status),
        'loan.withdraw.too_late',
        `cannot withdraw a loan that is ${state.status}`,
      );
      borrowerOnly(metadata, state, 'loan.withdraw.not_the_borrower');
      return [{ type: 'LoanApplicationWithdrawn', data: { reason: command.data.reason, withdrawnAt: now } }];
    case 'DraftContract': {
      inStatus(state, 'loan.contract.not_approved', 'approved');
      lenderOnly(metadata, state, 'loan.contract.not_the_lender');
      const signers = [
        { org: state.borrower as string, role: 'enterprise' as const },
        { org: state.lender as string, role: 'bank' as const },
        ...command.data.additionalSigners,
      ];
      ensure(
        new Set(signers.map((s) => s.org)).size === signers.length,
        'loan.contract.duplicate_signer',
        'each party signs once',
      );
      return [
        {
          type: 'ContractDrafted',
          data: { documentSha256: command.data.documentSha256, requiredSigners: signers },
        },
      ];
    }
    case 'SignContract': {
      inStatus(state, 'loan.sign.not_drafted', 'contract_drafted');
      const c = state.contract as NonNullable<LoanState['contract']>;
      const signer = c.requiredSigners.find(
        (s) => s.org === metadata.actor.org && s.role === metadata.actor.role,
      );
      ensure(
        signer !== undefined,
        'loan.sign.not_a_party',
        'the actor is not a required signer of this contract',
      );
      ensure(
        !c.signedBy.includes(metadata.actor.org),
        'loan.sign.already_signed',
        'this party already signed',
      );
      ensure(
        verifySignature(c.documentSha256, command.data.signature, command.data.publicKey),
        'loan.sign.bad_signature',
        'the signature does not verify over the contract hash',
      );
      const events: LoanEvent[] = [
        {
          type: 'ContractSigned',
          data: {
            documentSha256: c.documentSha256,
            signer: { org: metadata.actor.org, role: metadata.actor.role },
            algorithm: 'Ed25519',
            signature: command.data.signature,
            publicKey: command.data.publicKey,
            signedAt: now,
          },
        },
      ];
      if (c.signedBy.length + 1 === c.requiredSigners.length) {
        events.push({
          type: 'ContractExecuted',
          data: { documentSha256: c.documentSha256, executedAt: now },
        });
      }
      return events;
    }
    case 'DisburseLoan': {
      inStatus(state, 'loan.disburse.contract_not_executed', 'executed');
      lenderOnly(metadata, state, 'loan.disburse.not_the_lender');
      const t = state.terms as NonNullable<LoanState['terms']>;
      const schedule = buildSchedule({
        principalFen: t.amountFen,
        annualRateBps: t.rateBps,
        termMonths: t.termMonths,
        type: t.scheduleType,
        startDate: command.data.disbursedOn,
      });
      return [
        {
          type: 'LoanDisbursed',
          data: {
            amountFen: t.amountFen,
            disbursedOn: command.data.disbursedOn,
            rateBps: t.rateBps,
            scheduleType: t.scheduleType,
            schedule,
          },
        },
      ];
    }
    case 'RecordRepayment': {
      const d = command.data;
      inStatus(state, 'loan.repay.not_active', 'active', 'defaulted');
      lenderOnly(metadata, state, 'loan.repay.not_the_lender');
      freshPayment(state, d.paymentId);
      ensure(
        d.paidOn >= (state.disbursedOn as string),
        'loan.repay.before_disbursement',
        'paid before disbursement',
      );
      const owed = totalOutstanding(state);
      ensure(d.amountFen <= owed, 'loan.repay.overpayment', 'the payment exceeds everything owed', {
        owedFen: owed,
      });
      // Penalty first, then each instalment in due order: its interest, then its principal.
      const open = state.schedule.filter(
        (i) => i.interestPaidFen < i.interestFen || i.principalPaidFen < i.principalFen,
      );
      const buckets = [state.penaltyOutstandingFen];
      for (const i of open)
        buckets.push(i.interestFen - i.interestPaidFen, i.principalFen - i.principalPaidFen);
      const { parts } = allocateInOrder(d.amountFen, buckets);
      const allocations = open
        .map((i, k) => ({
          instalment: i.number,
          interestFen: parts[1 + 2 * k] as number,
          principalFen: parts[2 + 2 * k] as number,
        }))
        .filter((a) => a.interestFen + a.principalFen > 0);
      const interestFen = allocations.reduce((s, a) => s + a.interestFen, 0);
      const principalFen = allocations.reduce((s, a) => s + a.principalFen, 0);
      const events: LoanEvent[] = [
        {
          type: 'RepaymentReceived',
          // Field by field: V8 in Node 20 builds `{ ...d, more }` some 50 times slower (docs/perf.md).
          data: {
            paymentId: d.paymentId,
            amountFen: d.amountFen,
            paidOn: d.paidOn,
            penaltyFen: parts[0] as number,
            interestFen,
            principalFen,
            allocations,
          },
        },
      ];
      if (d.amountFen === owed)
        events.push({ type: 'LoanClosed', data: { closedOn: d.paidOn, reason: 'repaid' } });
      return events;
    }
    case 'RepayEarly': {
      const d = command.data;
      inStatus(state, 'loan.repay_early.not_active', 'active');
      lenderOnly(metadata, state, 'loan.repay_early.not_the_lender');
      freshPayment(state, d.paymentId);
      const q = earlyPayoff(state, d.paidOn);
      ensure(
        d.amountFen === q.totalFen,
        'loan.repay_early.amount_mismatch',
        'an early repayment must pay exactly the payoff amount',
        {
          payoffFen: q.totalFen,
        },
      );
      return [
        {
          type: 'LoanRepaidEarly',
          data: {
            ...d,
            penaltyFen: q.penaltyFen,
            interestFen: q.interestFen,
            principalFen: q.principalFen,
            interestForgoneFen: q.interestForgoneFen,
          },
        },
        { type: 'LoanClosed', data: { closedOn: d.paidOn, reason: 'repaid_early' } },
      ];
    }
    case 'MarkOverdue': {
      inStatus(state, 'loan.overdue.not_active', 'active', 'defaulted');
      requireActor(metadata, 'loan.overdue.actor_not_allowed', [
        'system',
        { role: 'bank', org: state.lender as string },
      ]);
      const o = overdueAsOf(state, command.data.asOf);
      ensure(o.daysPastDue > 0, 'loan.overdue.nothing_overdue', 'no instalment is past due on that date');
      return [
        {
          type: 'LoanOverdue',
          data: {
            asOf: command.data.asOf,
            daysPastDue: o.daysPastDue,
            overdueInstalments: o.instalments.map((i) => i.number),
            overduePrincipalFen: o.principalFen,
            overdueInterestFen: o.interestFen,
          },
        },
      ];
    }
    case 'ChargePenalty': {
      const d = command.data;
      inStatus(state, 'loan.penalty.not_active', 'active', 'defaulted');
      lenderOnly(metadata, state, 'loan.penalty.not_the_lender');
      const o = overdueAsOf(state, d.asOf);
      ensure(
        o.daysPastDue > 0 && o.principalFen > 0,
        'loan.penalty.nothing_overdue',
        'no principal is past due',
      );
      const oldestDue = (o.instalments[0] as { dueDate: string }).dueDate;
      const from =
        state.penaltyAccruedThrough !== null && state.penaltyAccruedThrough > oldestDue
          ? state.penaltyAccruedThrough
          : oldestDue;
      ensure(from < d.asOf, 'loan.penalty.already_charged', 'penalty is already charged up to that date');
      const amountFen = interestForPeriod(o.principalFen, d.penaltyRateBps, from, d.asOf);
      return [
        {
          type: 'PenaltyCharged',
          data: {
            fromDate: from,
            toDate: d.asOf,
            baseFen: o.principalFen,
            penaltyRateBps: d.penaltyRateBps,
            amountFen,
          },
        },
      ];
    }
    case 'DeclareDefault': {
      const d = command.data;
      inStatus(state, 'loan.default.not_active', 'active');
      lenderOnly(metadata, state, 'loan.default.not_the_lender');
      const o = overdueAsOf(state, d.asOf);
      ensure(
        o.daysPastDue >= d.minDaysPastDue,
        'loan.default.not_overdue_enough',
        `default needs at least ${d.minDaysPastDue} days past due`,
        { daysPastDue: o.daysPastDue },
      );
      const outstandingPrincipalFen = outstandingPrincipal(state);
      const penaltyFen = state.penaltyOutstandingFen;
      return [
        {
          type: 'LoanDefaulted',
          data: {
            asOf: d.asOf,
            daysPastDue: o.daysPastDue,
            outstandingPrincipalFen,
            outstandingInterestFen: o.interestFen,
            penaltyFen,
            lossFen: outstandingPrincipalFen + o.interestFen + penaltyFen,
          },
        },
      ];
    }
    case 'WriteOffLoan': {
      inStatus(state, 'loan.write_off.not_defaulted', 'defaulted');
      lenderOnly(metadata, state, 'loan.write_off.not_the_lender');
      const o = overdueAsOf(state, command.data.writtenOffOn);
      const amountFen = outstandingPrincipal(state) + o.interestFen + state.penaltyOutstandingFen;
      return [{ type: 'LoanWrittenOff', data: { amountFen, ...command.data } }];
    }
    case 'RecordRecovery': {
      const d = command.data;
      inStatus(state, 'loan.recovery.not_written_off', 'written_off');
      lenderOnly(metadata, state, 'loan.recovery.not_the_lender');
      freshPayment(state, d.paymentId);
      const left = state.writtenOffFen - state.recoveredFen;
      ensure(
        d.amountFen <= left,
        'loan.recovery.exceeds_written_off',
        'recoveries cannot exceed the written-off amount',
        {
          leftFen: left,
        },
      );
      const events: LoanEvent[] = [
        { type: 'LoanRecoveryReceived', data: { ...d, recoveredTotalFen: state.recoveredFen + d.amountFen } },
      ];
      if (d.amountFen === left)
        events.push({ type: 'LoanClosed', data: { closedOn: d.paidOn, reason: 'recovered' } });
      return events;
    }
  }
};

/**
 * Early payoff on `paidOn`: penalty + unpaid interest of instalments due on or before paidOn + interest
 * accrued on the outstanding principal since the last due date (or disbursement), ACT/365, less any
 * interest already prepaid on later instalments + all outstanding principal. Later scheduled interest is forgone.
 */
export const earlyPayoff = (state: LoanState, paidOn: string) => {
  const due = dueBalances(state, (i) => i.dueDate <= paidOn);
  const later = state.schedule.filter((i) => i.dueDate > paidOn);
  const lastDue =
    state.schedule.filter((i) => i.dueDate <= paidOn).at(-1)?.dueDate ?? (state.disbursedOn as string);
  const principalFen = outstandingPrincipal(state);
  const laterPrincipal = later.reduce((s, i) => s + i.principalFen - i.principalPaidFen, 0);
  const prepaidInterest = later.reduce((s, i) => s + i.interestPaidFen, 0);
  const accrued = interestForPeriod(
    laterPrincipal,
    (state.terms as { rateBps: number }).rateBps,
    lastDue,
    paidOn,
  );
  const accruedNet = Math.max(0, accrued - prepaidInterest);
  const interestFen = due.interestFen + accruedNet;
  const scheduledLater = later.reduce((s, i) => s + i.interestFen - i.interestPaidFen, 0);
  return {
    penaltyFen: state.penaltyOutstandingFen,
    interestFen,
    principalFen,
    interestForgoneFen: Math.max(0, scheduledLater - accruedNet),
    totalFen: state.penaltyOutstandingFen + interestFen + principalFen,
  };
};

export const loanDecider: Decider<LoanCommand, LoanEvent, LoanState> = {
  initialState: initialLoanState,
  decide,
  evolve: evolveLoan,
};
