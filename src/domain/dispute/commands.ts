import { z } from 'zod';
import { DateOnly, Fen, Id, LongText, OrgId, Sha256Hex, ShortText, type CommandOf } from '../schema.ts';
import { AwardPayment, Forum, Party } from './events.ts';

export const disputeCommands = {
  FileDispute: z.strictObject({
    disputeId: Id,
    loanId: Id,
    respondent: Party,
    forum: Forum,
    body: OrgId,
    claimAmountFen: Fen.min(1),
    claims: LongText,
  }),
  AcceptDispute: z.strictObject({ caseNumber: ShortText }),
  AssignTribunal: z.strictObject({ memberIds: z.array(Id).min(1).max(5) }),
  SubmitEvidence: z.strictObject({
    evidenceId: Id,
    bundleSha256: Sha256Hex.nullable(),
    documentSha256s: z.array(Sha256Hex).max(50),
    description: ShortText,
  }),
  HoldHearing: z.strictObject({ heldOn: DateOnly, mode: z.enum(['online', 'written']) }),
  IssueAward: z.strictObject({
    awardId: Id,
    payments: z.array(AwardPayment).max(20),
    obligations: z.array(ShortText).max(20),
  }),
  RequestEnforcement: z.strictObject({ court: OrgId }),
  SettleDispute: z.strictObject({ terms: LongText }),
  WithdrawDispute: z.strictObject({ reason: ShortText }),
  CloseDispute: z.strictObject({ reason: ShortText }),
};

export type DisputeCommand = CommandOf<typeof disputeCommands>;
