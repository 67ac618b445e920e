import { z } from 'zod';
import { Fen, Id, Instant, OrgId, ShortText, type EventOf, type EventSchemas } from '../schema.ts';

/** 风险补偿, 贴息, 担保费补贴. */
export const PolicyKind = z.enum(['risk_compensation', 'interest_subsidy', 'guarantee_fee_subsidy']);

export const policyEvents = {
  PolicyBenefitClaimed: {
    schemaVersion: 1,
    description: 'A claim of one policy benefit for a loan, listing every policy the loan qualified for.',
    schema: z.strictObject({
      claimId: Id,
      loanId: Id,
      policyId: Id,
      kind: PolicyKind,
      amountFen: Fen,
      claimant: OrgId,
      eligiblePolicyIds: z.array(Id).min(1).max(20),
      claimedAt: Instant,
    }),
  },
  PolicyClaimApproved: {
    schemaVersion: 1,
    description: 'The policy fund approved the claim (possibly for less than claimed).',
    schema: z.strictObject({ claimId: Id, approvedAmountFen: Fen, approvedAt: Instant }),
  },
  PolicyClaimRefused: {
    schemaVersion: 1,
    description: 'The policy fund refused the claim; the loan may claim another policy.',
    schema: z.strictObject({ claimId: Id, reason: ShortText, refusedAt: Instant }),
  },
} satisfies EventSchemas;

export type PolicyEvent = EventOf<typeof policyEvents>;
