import { z } from 'zod';
import { Uscc } from '../enterprise/events.ts';
import { DateOnly, Fen, Id, OrgId, Sha256Hex, ShortText, type CommandOf } from '../schema.ts';
import { NotarizationParty } from './events.ts';

export const notarizationCommands = {
  ApplyForNotarization: z.strictObject({
    notarizationId: Id,
    loanId: Id,
    contractSha256: Sha256Hex,
    debtorUscc: Uscc,
    notary: OrgId,
  }),
  VerifyIdentity: z.strictObject({
    party: NotarizationParty,
    method: z.enum(['face_recognition', 'digital_certificate', 'in_person']),
    consequencesExplained: z.literal(true),
  }),
  Notarize: z.strictObject({ certificateNumber: ShortText }),
  RecordDebtorVerification: z.strictObject({
    contactedOn: DateOnly,
    outcome: z.enum(['default_confirmed', 'disputed', 'unreachable']),
  }),
  /** The amounts come from the loan stream (the notary keeps the disbursement and repayment records). */
  IssueEnforcementCertificate: z.strictObject({
    certificateNumber: ShortText,
    principalFen: Fen,
    interestFen: Fen,
    penaltyFen: Fen,
    paidFen: Fen,
    timeLimitDays: z.number().int().min(1).max(3650),
  }),
};

export type NotarizationCommand = CommandOf<typeof notarizationCommands>;
