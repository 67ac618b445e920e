import { z } from 'zod';
import { Uscc } from '../enterprise/events.ts';
import {
  Bps,
  DateOnly,
  Fen,
  Id,
  Instant,
  OrgId,
  ShortText,
  type EventOf,
  type EventSchemas,
} from '../schema.ts';
import { partyKinds } from './config.ts';

export const RiskParty = z.strictObject({ org: OrgId, kind: z.enum(partyKinds), shareBps: Bps });
export const PartyAmount = z.strictObject({
  org: OrgId,
  kind: z.enum(partyKinds),
  shareBps: Bps,
  amountFen: Fen,
});

export const guaranteeEvents = {
  GuaranteeIssued: {
    schemaVersion: 1,
    description: 'A guarantor guaranteed part of a loan’s principal for a fee within the ceiling.',
    schema: z.strictObject({
      guaranteeId: Id,
      loanId: Id,
      guarantor: OrgId,
      lender: OrgId,
      borrowerUscc: Uscc,
      principalFen: Fen,
      guaranteedShareBps: Bps,
      guaranteedAmountFen: Fen,
      feeBps: Bps,
      feeFen: Fen,
      feeCeilingBps: Bps,
      issuedAt: Instant,
    }),
  },
  RiskSharingAgreed: {
    schemaVersion: 1,
    description:
      'The risk-sharing agreement (e.g. Hunan 4321): parties with shares summing to 10,000 bps, programme caps.',
    schema: z.strictObject({
      programmeId: Id,
      parties: z.array(RiskParty).min(2).max(10),
      lossRateCeilingBps: Bps,
      singleCustomerCeilingFen: Fen,
    }),
  },
  GuaranteeCompensated: {
    schemaVersion: 1,
    description:
      'The guarantor paid the bank the guaranteed part of the loss (代偿): the loss less the bank’s own share.',
    schema: z.strictObject({
      lossFen: Fen,
      compensatedFen: Fen,
      paidOn: DateOnly,
      shares: z.array(PartyAmount).max(10),
    }),
  },
  ReimbursementDue: {
    schemaVersion: 1,
    description: 'An upper level owes the guarantor its share of the compensated loss (先代偿、后分险).',
    schema: z.strictObject({ org: OrgId, kind: z.enum(partyKinds), amountFen: Fen }),
  },
  ReimbursementPaid: {
    schemaVersion: 1,
    description: 'An upper level paid (part of) its reimbursement.',
    schema: z.strictObject({ org: OrgId, amountFen: Fen, paidOn: DateOnly, remainingFen: Fen }),
  },
  RecoveryShared: {
    schemaVersion: 1,
    description: 'Money recovered from the borrower (追偿) shared back in the agreement’s proportions.',
    schema: z.strictObject({
      recoveryId: Id,
      amountFen: Fen,
      recoveredOn: DateOnly,
      allocations: z.array(z.strictObject({ org: OrgId, amountFen: Fen })).max(10),
    }),
  },
  GuaranteeReleased: {
    schemaVersion: 1,
    description: 'The guarantee ended without a claim (the loan was repaid).',
    schema: z.strictObject({ reason: ShortText, releasedAt: Instant }),
  },
} satisfies EventSchemas;

export type GuaranteeEvent = EventOf<typeof guaranteeEvents>;
