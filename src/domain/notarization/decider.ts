import { ensure, requireActor } from '../actor.ts';
import type { Decider } from '../decider.ts';
import { addDays } from '../money.ts';
import type { NotarizationCommand } from './commands.ts';
import type { NotarizationEvent } from './events.ts';

export interface NotarizationState {
  status: 'none' | 'applied' | 'notarized' | 'debtor_verified' | 'enforceable';
  creditor: string | null;
  debtorUscc: string | null;
  notary: string | null;
  verified: ('creditor' | 'debtor')[];
  debtorOutcome: 'default_confirmed' | 'disputed' | 'unreachable' | null;
}

export const notarizationDecider: Decider<NotarizationCommand, NotarizationEvent, NotarizationState> = {
  initialState: () => ({
    status: 'none',
    creditor: null,
    debtorUscc: null,
    notary: null,
    verified: [],
    debtorOutcome: null,
  }),

  decide: (command, state) => {
    const { metadata } = command;
    const now = metadata.now;
    const notaryOnly = (rule: string): void =>
      requireActor(metadata, rule, [{ role: 'notary', org: state.notary ?? '\u0000' }]);
    switch (command.type) {
      case 'ApplyForNotarization':
        ensure(state.status === 'none', 'notarization.apply.already_applied', 'notarization id already used');
        requireActor(metadata, 'notarization.apply.not_a_creditor', ['bank']);
        return [
          {
            type: 'NotarizationApplied',
            data: { ...command.data, creditor: metadata.actor.org, appliedAt: now },
          },
        ];
      case 'VerifyIdentity':
        ensure(
          state.status === 'applied',
          'notarization.identity.not_applied',
          'identity checks come before notarization',
        );
        notaryOnly('notarization.identity.not_the_notary');
        ensure(
          !state.verified.includes(command.data.party),
          'notarization.identity.already_verified',
          'already verified',
        );
        return [{ type: 'IdentityVerified', data: { ...command.data, verifiedAt: now } }];
      case 'Notarize':
        ensure(state.status === 'applied', 'notarization.notarize.not_applied', 'nothing to notarize');
        notaryOnly('notarization.notarize.not_the_notary');
        ensure(
          state.verified.includes('creditor') && state.verified.includes('debtor'),
          'notarization.notarize.identity_unverified',
          'both parties’ identities must be verified first',
        );
        return [
          {
            type: 'ContractNotarized',
            data: { certificateNumber: command.data.certificateNumber, notarizedAt: now },
          },
        ];
      case 'RecordDebtorVerification':
        ensure(
          state.status === 'notarized' || state.status === 'debtor_verified',
          'notarization.verify.not_notarized',
          'the contract is not notarized',
        );
        notaryOnly('notarization.verify.not_the_notary');
        return [{ type: 'DebtorVerificationRecorded', data: { ...command.data, recordedAt: now } }];
      case 'IssueEnforcementCertificate': {
        const d = command.data;
        ensure(
          state.status === 'debtor_verified',
          'notarization.enforcement.debtor_not_verified',
          'the debtor must be notified and verified first',
        );
        notaryOnly('notarization.enforcement.not_the_notary');
        ensure(
          state.debtorOutcome !== 'disputed',
          'notarization.enforcement.debtor_disputes',
          'the debtor disputes the debt: no certificate',
        );
        const owed = d.principalFen + d.interestFen + d.penaltyFen;
        ensure(
          owed > d.paidFen,
          'notarization.enforcement.nothing_owed',
          'nothing is owed after deducting payments',
        );
        const issuedOn = now.slice(0, 10);
        return [
          {
            type: 'EnforcementCertificateIssued',
            data: {
              certificateNumber: d.certificateNumber,
              applicant: state.creditor as string,
              respondentUscc: state.debtorUscc as string,
              principalFen: d.principalFen,
              interestFen: d.interestFen,
              penaltyFen: d.penaltyFen,
              paidFen: d.paidFen,
              amountFen: owed - d.paidFen,
              issuedOn,
              enforceableUntil: addDays(issuedOn, d.timeLimitDays),
            },
          },
        ];
      }
    }
  },

  evolve: (state, event) => {
    switch (event.type) {
      case 'NotarizationApplied':
        return {
          ...state,
          status: 'applied',
          creditor: event.data.creditor,
          debtorUscc: event.data.debtorUscc,
          notary: event.data.notary,
        };
      case 'IdentityVerified':
        return { ...state, verified: [...state.verified, event.data.party] };
      case 'ContractNotarized':
        return { ...state, status: 'notarized' };
      case 'DebtorVerificationRecorded':
        return { ...state, status: 'debtor_verified', debtorOutcome: event.data.outcome };
      case 'EnforcementCertificateIssued':
        return { ...state, status: 'enforceable' };
    }
  },
};
