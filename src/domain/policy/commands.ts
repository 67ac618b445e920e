import { z } from 'zod';
import { Fen, Id, ShortText, type CommandOf } from '../schema.ts';
import { PolicyKind } from './events.ts';

export const policyCommands = {
  ClaimPolicyBenefit: z.strictObject({
    claimId: Id,
    loanId: Id,
    policyId: Id,
    kind: PolicyKind,
    amountFen: Fen.min(1),
    eligiblePolicyIds: z.array(Id).min(1).max(20),
  }),
  ApprovePolicyClaim: z.strictObject({ claimId: Id, approvedAmountFen: Fen.min(1) }),
  RefusePolicyClaim: z.strictObject({ claimId: Id, reason: ShortText }),
};

export type PolicyCommand = CommandOf<typeof policyCommands>;
