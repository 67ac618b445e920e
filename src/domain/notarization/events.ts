import { z } from 'zod';
import { Uscc } from '../enterprise/events.ts';
import {
  DateOnly,
  Fen,
  Id,
  Instant,
  OrgId,
  Sha256Hex,
  ShortText,
  type EventOf,
  type EventSchemas,
} from '../schema.ts';

export const NotarizationParty = z.enum(['creditor', 'debtor']);

export const notarizationEvents = {
  NotarizationApplied: {
    schemaVersion: 1,
    description:
      'The creditor applied for online enforceable notarization (线上赋强公证) of a loan contract, by hash.',
    schema: z.strictObject({
      notarizationId: Id,
      loanId: Id,
      contractSha256: Sha256Hex,
      creditor: OrgId,
      debtorUscc: Uscc,
      notary: OrgId,
      appliedAt: Instant,
    }),
  },
  IdentityVerified: {
    schemaVersion: 1,
    description: 'The notary verified a party’s identity and explained the legal consequences online.',
    schema: z.strictObject({
      party: NotarizationParty,
      method: z.enum(['face_recognition', 'digital_certificate', 'in_person']),
      consequencesExplained: z.literal(true),
      verifiedAt: Instant,
    }),
  },
  ContractNotarized: {
    schemaVersion: 1,
    description: 'The electronic notarial certificate was issued.',
    schema: z.strictObject({ certificateNumber: ShortText, notarizedAt: Instant }),
  },
  DebtorVerificationRecorded: {
    schemaVersion: 1,
    description: 'On default, the notary notified and verified with the debtor (催告/核实).',
    schema: z.strictObject({
      contactedOn: DateOnly,
      outcome: z.enum(['default_confirmed', 'disputed', 'unreachable']),
      recordedAt: Instant,
    }),
  },
  EnforcementCertificateIssued: {
    schemaVersion: 1,
    description:
      'The enforcement certificate (执行证书): applicant, respondent, amount after deducting payments, time limit.',
    schema: z.strictObject({
      certificateNumber: ShortText,
      applicant: OrgId,
      respondentUscc: Uscc,
      principalFen: Fen,
      interestFen: Fen,
      penaltyFen: Fen,
      paidFen: Fen,
      amountFen: Fen,
      issuedOn: DateOnly,
      enforceableUntil: DateOnly,
    }),
  },
} satisfies EventSchemas;

export type NotarizationEvent = EventOf<typeof notarizationEvents>;
