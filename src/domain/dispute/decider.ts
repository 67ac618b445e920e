import { ensure, requireActor } from '../actor.ts';
import type { Decider } from '../decider.ts';
import type { DisputeCommand } from './commands.ts';
import type { DisputeEvent } from './events.ts';
import { SeenIds } from '../seenIds.ts';

export interface DisputeState {
  status:
    | 'none'
    | 'filed'
    | 'accepted'
    | 'tribunal'
    | 'heard'
    | 'awarded'
    | 'enforcement'
    | 'settled'
    | 'withdrawn'
    | 'closed';
  claimant: { org: string; role: string } | null;
  respondent: { org: string; role: string } | null;
  forum: 'arbitration' | 'court' | null;
  body: string | null;
  evidenceIds: SeenIds;
  payments: { payer: string; payee: string; amountFen: number }[];
}

const OPEN_BEFORE_AWARD = ['filed', 'accepted', 'tribunal', 'heard'] as const;

export const disputeDecider: Decider<DisputeCommand, DisputeEvent, DisputeState> = {
  initialState: () => ({
    status: 'none',
    claimant: null,
    respondent: null,
    forum: null,
    body: null,
    evidenceIds: SeenIds.empty(),
    payments: [],
  }),

  decide: (command, state) => {
    const { metadata } = command;
    const now = metadata.now;
    const bodyRole = state.forum === 'court' ? 'court' : 'arbitrator';
    const bodyOnly = (rule: string): void =>
      requireActor(metadata, rule, [{ role: bodyRole, org: state.body ?? '\u0000' }]);
    const isParty = (org: string): boolean => org === state.claimant?.org || org === state.respondent?.org;
    const inStatus = (rule: string, ...s: DisputeState['status'][]): void =>
      ensure(s.includes(state.status), rule, `not allowed while the dispute is ${state.status}`, {
        status: state.status,
      });
    switch (command.type) {
      case 'FileDispute': {
        const d = command.data;
        ensure(state.status === 'none', 'dispute.file.already_filed', 'dispute id already used');
        requireActor(metadata, 'dispute.file.not_a_party_role', [
          'bank',
          'guarantor',
          'reguarantor',
          'government_fund',
          'enterprise',
        ]);
        ensure(
          d.respondent.org !== metadata.actor.org,
          'dispute.file.against_itself',
          'a party cannot file against itself',
        );
        return [
          {
            type: 'DisputeFiled',
            data: { ...d, claimant: { org: metadata.actor.org, role: metadata.actor.role }, filedAt: now },
          },
        ];
      }
      case 'AcceptDispute':
        inStatus('dispute.accept.not_filed', 'filed');
        bodyOnly('dispute.accept.not_the_body');
        return [{ type: 'DisputeAccepted', data: { caseNumber: command.data.caseNumber, acceptedAt: now } }];
      case 'AssignTribunal':
        inStatus('dispute.tribunal.not_accepted', 'accepted');
        bodyOnly('dispute.tribunal.not_the_body');
        return [{ type: 'TribunalAssigned', data: { memberIds: command.data.memberIds, assignedAt: now } }];
      case 'SubmitEvidence': {
        inStatus('dispute.evidence.not_open', 'accepted', 'tribunal', 'heard');
        ensure(
          isParty(metadata.actor.org),
          'dispute.evidence.not_a_party',
          'only the parties submit evidence',
        );
        ensure(
          !state.evidenceIds.has(command.data.evidenceId),
          'dispute.evidence.duplicate',
          'evidence id already used',
        );
        return [
          {
            type: 'EvidenceSubmitted',
            data: {
              ...command.data,
              submittedBy: { org: metadata.actor.org, role: metadata.actor.role },
              submittedAt: now,
            },
          },
        ];
      }
      case 'HoldHearing':
        inStatus('dispute.hearing.no_tribunal', 'tribunal', 'heard');
        bodyOnly('dispute.hearing.not_the_body');
        return [{ type: 'HearingHeld', data: command.data }];
      case 'IssueAward': {
        inStatus('dispute.award.no_hearing', 'heard');
        bodyOnly('dispute.award.not_the_body');
        ensure(
          command.data.payments.every((p) => isParty(p.payer) && isParty(p.payee) && p.payer !== p.payee),
          'dispute.award.unknown_party',
          'award payments run between the two parties',
        );
        return [{ type: 'AwardIssued', data: { ...command.data, issuedAt: now } }];
      }
      case 'RequestEnforcement': {
        inStatus('dispute.enforcement.no_award', 'awarded');
        const owed = state.payments
          .filter((p) => p.payee === metadata.actor.org)
          .reduce((s, p) => s + p.amountFen, 0);
        ensure(
          owed > 0,
          'dispute.enforcement.not_a_creditor',
          'only a payee under the award may request enforcement',
        );
        return [
          {
            type: 'EnforcementRequested',
            data: {
              requestedBy: metadata.actor.org,
              court: command.data.court,
              amountFen: owed,
              requestedAt: now,
            },
          },
        ];
      }
      case 'SettleDispute':
        ensure(
          (OPEN_BEFORE_AWARD as readonly string[]).includes(state.status),
          'dispute.settle.not_open',
          'only an open case can settle before the award',
        );
        ensure(isParty(metadata.actor.org), 'dispute.settle.not_a_party', 'only the parties settle');
        return [{ type: 'DisputeSettled', data: { terms: command.data.terms, settledAt: now } }];
      case 'WithdrawDispute':
        ensure(
          (OPEN_BEFORE_AWARD as readonly string[]).includes(state.status),
          'dispute.withdraw.not_open',
          'only an open case can be withdrawn',
        );
        ensure(
          metadata.actor.org === state.claimant?.org,
          'dispute.withdraw.not_the_claimant',
          'only the claimant withdraws',
        );
        return [{ type: 'DisputeWithdrawn', data: { reason: command.data.reason, withdrawnAt: now } }];
      case 'CloseDispute':
        inStatus('dispute.close.not_finished', 'awarded', 'enforcement', 'settled', 'withdrawn');
        bodyOnly('dispute.close.not_the_body');
        return [{ type: 'DisputeClosed', data: { reason: command.data.reason, closedAt: now } }];
    }
  },

  evolve: (state, event) => {
    switch (event.type) {
      case 'DisputeFiled':
        return {
          ...state,
          status: 'filed',
          claimant: event.data.claimant,
          respondent: event.data.respondent,
          forum: event.data.forum,
          body: event.data.body,
        };
      case 'DisputeAccepted':
        return { ...state, status: 'accepted' };
      case 'TribunalAssigned':
        return { ...state, status: 'tribunal' };
      case 'EvidenceSubmitted':
        return { ...state, evidenceIds: state.evidenceIds.with(event.data.evidenceId) };
      case 'HearingHeld':
        return { ...state, status: 'heard' };
      case 'AwardIssued':
        return { ...state, status: 'awarded', payments: event.data.payments };
      case 'EnforcementRequested':
        return { ...state, status: 'enforcement' };
      case 'DisputeSettled':
        return { ...state, status: 'settled' };
      case 'DisputeWithdrawn':
        return { ...state, status: 'withdrawn' };
      case 'DisputeClosed':
        return { ...state, status: 'closed' };
    }
  },
};
