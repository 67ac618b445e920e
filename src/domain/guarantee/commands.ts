import { z } from 'zod';
import { Uscc } from '../enterprise/events.ts';
import { Bps, DateOnly, Fen, Id, OrgId, ShortText, type CommandOf } from '../schema.ts';
import { RiskParty } from './events.ts';

export const guaranteeCommands = {
  IssueGuarantee: z.strictObject({
    guaranteeId: Id,
    loanId: Id,
    lender: OrgId,
    borrowerUscc: Uscc,
    principalFen: Fen.min(1),
    guaranteedShareBps: Bps,
    feeBps: Bps,
    /** What this borrower already has guaranteed under the programme (from a projection). */
    borrowerExistingGuaranteedFen: Fen,
    programme: z.strictObject({
      programmeId: Id,
      parties: z.array(RiskParty).min(2).max(10),
      lossRateCeilingBps: Bps,
      singleCustomerCeilingFen: Fen,
      /** The programme's compensation rate now (from a projection): at the ceiling new business stops (熔断). */
      currentLossRateBps: z.number().int().min(0).max(10_000),
    }),
  }),
  CompensateBank: z.strictObject({ lossFen: Fen.min(1), paidOn: DateOnly }),
  RecordReimbursement: z.strictObject({ amountFen: Fen.min(1), paidOn: DateOnly }),
  ShareRecovery: z.strictObject({ recoveryId: Id, amountFen: Fen.min(1), recoveredOn: DateOnly }),
  ReleaseGuarantee: z.strictObject({ reason: ShortText }),
};

export type GuaranteeCommand = CommandOf<typeof guaranteeCommands>;
