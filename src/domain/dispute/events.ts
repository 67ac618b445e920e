import { z } from 'zod';
import { Role } from '../../events/envelope.ts';
import {
  DateOnly,
  Fen,
  Id,
  Instant,
  LongText,
  OrgId,
  Sha256Hex,
  ShortText,
  type EventOf,
  type EventSchemas,
} from '../schema.ts';

export const Party = z.strictObject({ org: OrgId, role: Role });
export const Forum = z.enum(['arbitration', 'court']);
export const AwardPayment = z.strictObject({ payer: OrgId, payee: OrgId, amountFen: Fen, item: ShortText });

export const disputeEvents = {
  DisputeFiled: {
    schemaVersion: 1,
    description: 'A party filed a claim against another party over a loan (线上仲裁 or internet court).',
    schema: z.strictObject({
      disputeId: Id,
      loanId: Id,
      claimant: Party,
      respondent: Party,
      forum: Forum,
      body: OrgId,
      claimAmountFen: Fen,
      claims: LongText,
      filedAt: Instant,
    }),
  },
  DisputeAccepted: {
    schemaVersion: 1,
    description: 'The arbitration commission or court accepted the case.',
    schema: z.strictObject({ caseNumber: ShortText, acceptedAt: Instant }),
  },
  TribunalAssigned: {
    schemaVersion: 1,
    description: 'Arbitrators or judges assigned (by their registry ids, not personal names).',
    schema: z.strictObject({ memberIds: z.array(Id).min(1).max(5), assignedAt: Instant }),
  },
  EvidenceSubmitted: {
    schemaVersion: 1,
    description: 'A party submitted evidence by reference: an evidence bundle and documents, by SHA-256.',
    schema: z.strictObject({
      evidenceId: Id,
      submittedBy: Party,
      bundleSha256: Sha256Hex.nullable(),
      documentSha256s: z.array(Sha256Hex).max(50),
      description: ShortText,
      submittedAt: Instant,
    }),
  },
  HearingHeld: {
    schemaVersion: 1,
    description: 'A hearing took place (online or in writing).',
    schema: z.strictObject({ heldOn: DateOnly, mode: z.enum(['online', 'written']) }),
  },
  AwardIssued: {
    schemaVersion: 1,
    description: 'The award or judgment: payments and other obligations.',
    schema: z.strictObject({
      awardId: Id,
      payments: z.array(AwardPayment).max(20),
      obligations: z.array(ShortText).max(20),
      issuedAt: Instant,
    }),
  },
  EnforcementRequested: {
    schemaVersion: 1,
    description: 'A creditor under the award asked a court to enforce it.',
    schema: z.strictObject({ requestedBy: OrgId, court: OrgId, amountFen: Fen, requestedAt: Instant }),
  },
  DisputeSettled: {
    schemaVersion: 1,
    description: 'The parties settled before the award.',
    schema: z.strictObject({ terms: LongText, settledAt: Instant }),
  },
  DisputeWithdrawn: {
    schemaVersion: 1,
    description: 'The claimant withdrew before the award.',
    schema: z.strictObject({ reason: ShortText, withdrawnAt: Instant }),
  },
  DisputeClosed: {
    schemaVersion: 1,
    description: 'The case is closed.',
    schema: z.strictObject({ reason: ShortText, closedAt: Instant }),
  },
} satisfies EventSchemas;

export type DisputeEvent = EventOf<typeof disputeEvents>;
