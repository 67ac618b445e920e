import { describe, expect, it } from 'vitest';
import type { NotarizationCommand } from '../../src/domain/notarization/commands.ts';
import { notarizationDecider } from '../../src/domain/notarization/decider.ts';
import { notarizationEvents, type NotarizationEvent } from '../../src/domain/notarization/events.ts';
import { BANK, CONTRACT_HASH, USCC } from './fixtures.ts';
import { commands, DeciderSpecification } from './specification.ts';

const spec = DeciderSpecification.for(notarizationDecider, notarizationEvents);
const c = commands<NotarizationCommand>();
const NOTARY = 'changsha-notary';
const run = (cmds: NotarizationCommand[]): NotarizationEvent[] => {
  const events: NotarizationEvent[] = [];
  for (const cmd of cmds)
    events.push(
      ...notarizationDecider.decide(
        cmd,
        events.reduce(notarizationDecider.evolve, notarizationDecider.initialState()),
      ),
    );
  return events;
};
const apply = c(
  'ApplyForNotarization',
  { notarizationId: 'N1', loanId: 'L1', contractSha256: CONTRACT_HASH, debtorUscc: USCC, notary: NOTARY },
  ['bank', BANK],
);
const idCreditor = c(
  'VerifyIdentity',
  { party: 'creditor', method: 'digital_certificate', consequencesExplained: true },
  ['notary', NOTARY],
);
const idDebtor = c(
  'VerifyIdentity',
  { party: 'debtor', method: 'face_recognition', consequencesExplained: true },
  ['notary', NOTARY],
);
const notarize = c('Notarize', { certificateNumber: '(2026)湘长证字第100号' }, ['notary', NOTARY]);
const verified = c('RecordDebtorVerification', { contactedOn: '2026-08-01', outcome: 'default_confirmed' }, [
  'notary',
  NOTARY,
]);
const certificate = c(
  'IssueEnforcementCertificate',
  {
    certificateNumber: '(2026)湘长证执字第5号',
    principalFen: 100_000_000,
    interestFen: 1_500_000,
    penaltyFen: 41_667,
    paidFen: 20_000_000,
    timeLimitDays: 730,
  },
  ['notary', NOTARY],
);

describe('notarization decider', () => {
  it('notarizes after both identity checks; issues the enforcement certificate net of payments', () => {
    spec(run([apply, idCreditor]))
      .when(notarize)
      .thenThrows('notarization.notarize.identity_unverified');
    spec(run([apply, idCreditor, idDebtor]))
      .when(notarize)
      .then(([e]) => expect(e?.type).toBe('ContractNotarized'));
    spec(run([apply, idCreditor, idDebtor, notarize, verified]))
      .when(certificate)
      .then(([e]) =>
        expect(e?.data).toEqual({
          certificateNumber: '(2026)湘长证执字第5号',
          applicant: BANK,
          respondentUscc: USCC,
          principalFen: 100_000_000,
          interestFen: 1_500_000,
          penaltyFen: 41_667,
          paidFen: 20_000_000,
          amountFen: 81_541_667,
          issuedOn: '2026-03-01',
          enforceableUntil: '2028-02-29',
        }),
      );
  });

  it('refuses a certificate before debtor verification, when disputed, when nothing is owed, by another notary', () => {
    spec(run([apply, idCreditor, idDebtor, notarize]))
      .when(certificate)
      .thenThrows('notarization.enforcement.debtor_not_verified');
    const disputed = c('RecordDebtorVerification', { contactedOn: '2026-08-01', outcome: 'disputed' }, [
      'notary',
      NOTARY,
    ]);
    spec(run([apply, idCreditor, idDebtor, notarize, disputed]))
      .when(certificate)
      .thenThrows('notarization.enforcement.debtor_disputes');
    spec(run([apply, idCreditor, idDebtor, notarize, verified]))
      .when(
        c('IssueEnforcementCertificate', { ...certificate.data, paidFen: 101_541_667 }, ['notary', NOTARY]),
      )
      .thenThrows('notarization.enforcement.nothing_owed');
    spec(run([apply, idCreditor, idDebtor, notarize, verified]))
      .when(c('IssueEnforcementCertificate', certificate.data, ['notary', 'other']))
      .thenThrows('notarization.enforcement.not_the_notary');
    spec(run([apply, idCreditor]))
      .when(idCreditor)
      .thenThrows('notarization.identity.already_verified');
    spec([])
      .when(c('ApplyForNotarization', apply.data, ['enterprise', USCC]))
      .thenThrows('notarization.apply.not_a_creditor');
  });
});
