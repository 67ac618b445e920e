import { z } from 'zod';
import { Uscc } from '../enterprise/events.ts';
import { ProductTerms } from '../product/terms.ts';
import {
  Base64,
  DateOnly,
  Fen,
  Id,
  RateBps,
  Sha256Hex,
  ShortText,
  TermMonths,
  type CommandOf,
} from '../schema.ts';
import { ScheduleType, Signer } from './events.ts';
import { BorrowerProfile } from './matching.ts';

const PositiveFen = Fen.min(1);

export const loanCommands = {
  ApplyForLoan: z.strictObject({
    loanId: Id,
    borrowerUscc: Uscc,
    amountFen: PositiveFen,
    termMonths: TermMonths,
    purpose: ShortText,
  }),
  /** Deciders do no I/O: the caller passes the borrower profile and the live products' terms. */
  MatchProducts: z.strictObject({ profile: BorrowerProfile, products: z.array(ProductTerms).max(200) }),
  ChooseProduct: z.strictObject({ productId: Id }),
  ApproveLoan: z.strictObject({
    amountFen: PositiveFen,
    rateBps: RateBps,
    termMonths: TermMonths,
    scheduleType: ScheduleType,
  }),
  RejectLoan: z.strictObject({ reason: ShortText }),
  WithdrawApplication: z.strictObject({ reason: ShortText }),
  /** Borrower and lender always sign; add guarantor, notary, … here. */
  DraftContract: z.strictObject({ documentSha256: Sha256Hex, additionalSigners: z.array(Signer).max(8) }),
  SignContract: z.strictObject({ signature: Base64, publicKey: Base64 }),
  DisburseLoan: z.strictObject({ disbursedOn: DateOnly }),
  RecordRepayment: z.strictObject({ paymentId: Id, amountFen: PositiveFen, paidOn: DateOnly }),
  RepayEarly: z.strictObject({ paymentId: Id, amountFen: PositiveFen, paidOn: DateOnly }),
  MarkOverdue: z.strictObject({ asOf: DateOnly }),
  ChargePenalty: z.strictObject({ asOf: DateOnly, penaltyRateBps: RateBps }),
  DeclareDefault: z.strictObject({ asOf: DateOnly, minDaysPastDue: z.number().int().min(1).max(3650) }),
  WriteOffLoan: z.strictObject({ writtenOffOn: DateOnly, reason: ShortText }),
  RecordRecovery: z.strictObject({ paymentId: Id, amountFen: PositiveFen, paidOn: DateOnly }),
};

export type LoanCommand = CommandOf<typeof loanCommands>;
