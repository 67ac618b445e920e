import { z } from 'zod';
import { Role } from '../../events/envelope.ts';
import { Uscc } from '../enterprise/events.ts';
import {
  Base64,
  DateOnly,
  Fen,
  Id,
  Instant,
  OrgId,
  RateBps,
  Sha256Hex,
  ShortText,
  TermMonths,
  type EventOf,
  type EventSchemas,
} from '../schema.ts';
import { MatchCandidate } from './matching.ts';

export const ScheduleType = z.enum(['equal_instalment', 'equal_principal']);
export const InstalmentSchema = z.strictObject({
  number: z.number().int().min(1),
  dueDate: DateOnly,
  principalFen: Fen,
  interestFen: Fen,
  totalFen: Fen,
});
export const Signer = z.strictObject({ org: OrgId, role: Role });

export const loanEvents = {
  LoanApplied: {
    schemaVersion: 1,
    description: 'An enterprise applied for financing: amount, term, purpose.',
    schema: z.strictObject({
      loanId: Id,
      borrowerUscc: Uscc,
      amountFen: Fen,
      termMonths: TermMonths,
      purpose: ShortText,
      appliedAt: Instant,
    }),
  },
  LoanMatched: {
    schemaVersion: 1,
    description: 'Products ranked for the application, each with the reasons it matched or not.',
    schema: z.strictObject({ candidates: z.array(MatchCandidate).max(200), matchedAt: Instant }),
  },
  ProductChosen: {
    schemaVersion: 1,
    description: 'The enterprise picked one eligible product; its bank becomes the lender.',
    schema: z.strictObject({ productId: Id, bank: OrgId }),
  },
  LoanApproved: {
    schemaVersion: 1,
    description: 'The lender approved with terms: amount, annual rate, term, schedule type.',
    schema: z.strictObject({
      amountFen: Fen,
      rateBps: RateBps,
      termMonths: TermMonths,
      scheduleType: ScheduleType,
      approvedAt: Instant,
    }),
  },
  LoanRejected: {
    schemaVersion: 1,
    description: 'The lender rejected the application, with the reason.',
    schema: z.strictObject({ reason: ShortText, rejectedAt: Instant }),
  },
  LoanApplicationWithdrawn: {
    schemaVersion: 1,
    description: 'The enterprise withdrew its application before the contract was executed.',
    schema: z.strictObject({ reason: ShortText, withdrawnAt: Instant }),
  },
  ContractDrafted: {
    schemaVersion: 1,
    description: 'The loan contract document (by SHA-256) and the parties who must sign it.',
    schema: z.strictObject({ documentSha256: Sha256Hex, requiredSigners: z.array(Signer).min(2).max(10) }),
  },
  ContractSigned: {
    schemaVersion: 1,
    description: 'One party signed the contract hash (Ed25519 over the 32 hash bytes).',
    schema: z.strictObject({
      documentSha256: Sha256Hex,
      signer: Signer,
      algorithm: z.literal('Ed25519'),
      signature: Base64,
      publicKey: Base64,
      signedAt: Instant,
    }),
  },
  ContractExecuted: {
    schemaVersion: 1,
    description: 'Every required party signed: the contract is in force.',
    schema: z.strictObject({ documentSha256: Sha256Hex, executedAt: Instant }),
  },
  LoanDisbursed: {
    schemaVersion: 1,
    description: 'The lender paid out the loan; the repayment schedule (exact in fen) is fixed here.',
    schema: z.strictObject({
      amountFen: Fen,
      disbursedOn: DateOnly,
      rateBps: RateBps,
      scheduleType: ScheduleType,
      schedule: z.array(InstalmentSchema).max(600),
    }),
  },
  RepaymentReceived: {
    schemaVersion: 1,
    description:
      'A repayment, allocated penalty first, then per instalment in due order interest then principal.',
    schema: z.strictObject({
      paymentId: Id,
      amountFen: Fen,
      paidOn: DateOnly,
      penaltyFen: Fen,
      interestFen: Fen,
      principalFen: Fen,
      allocations: z
        .array(z.strictObject({ instalment: z.number().int().min(1), interestFen: Fen, principalFen: Fen }))
        .max(600),
    }),
  },
  LoanRepaidEarly: {
    schemaVersion: 1,
    description: 'Early repayment of everything: penalty, due and accrued interest (ACT/365), all principal.',
    schema: z.strictObject({
      paymentId: Id,
      amountFen: Fen,
      paidOn: DateOnly,
      penaltyFen: Fen,
      interestFen: Fen,
      principalFen: Fen,
      /** Scheduled interest of later periods that is no longer owed. */
      interestForgoneFen: Fen,
    }),
  },
  LoanOverdue: {
    schemaVersion: 1,
    description: 'Instalments are past due as of a date, with days past due of the oldest.',
    schema: z.strictObject({
      asOf: DateOnly,
      daysPastDue: z.number().int().min(1),
      overdueInstalments: z.array(z.number().int().min(1)).max(600),
      overduePrincipalFen: Fen,
      overdueInterestFen: Fen,
    }),
  },
  PenaltyCharged: {
    schemaVersion: 1,
    description: 'Penalty interest (罚息) on overdue principal for a period, ACT/365, half up.',
    schema: z.strictObject({
      fromDate: DateOnly,
      toDate: DateOnly,
      baseFen: Fen,
      penaltyRateBps: RateBps,
      amountFen: Fen,
    }),
  },
  LoanDefaulted: {
    schemaVersion: 1,
    description: 'The lender declared default; what was owed at that moment.',
    schema: z.strictObject({
      asOf: DateOnly,
      daysPastDue: z.number().int().min(0),
      outstandingPrincipalFen: Fen,
      outstandingInterestFen: Fen,
      penaltyFen: Fen,
      lossFen: Fen,
    }),
  },
  LoanWrittenOff: {
    schemaVersion: 1,
    description: 'The lender wrote the defaulted loan off its books.',
    schema: z.strictObject({ amountFen: Fen, writtenOffOn: DateOnly, reason: ShortText }),
  },
  LoanRecoveryReceived: {
    schemaVersion: 1,
    description: 'Money recovered after write-off.',
    schema: z.strictObject({ paymentId: Id, amountFen: Fen, paidOn: DateOnly, recoveredTotalFen: Fen }),
  },
  LoanClosed: {
    schemaVersion: 1,
    description: 'Nothing more is owed (repaid, repaid early, or fully recovered).',
    schema: z.strictObject({ closedOn: DateOnly, reason: z.enum(['repaid', 'repaid_early', 'recovered']) }),
  },
} satisfies EventSchemas;

export type LoanEvent = EventOf<typeof loanEvents>;
