import { describe, expect, it } from 'vitest';
import type { DisputeCommand } from '../../src/domain/dispute/commands.ts';
import { disputeDecider } from '../../src/domain/dispute/decider.ts';
import { disputeEvents, type DisputeEvent } from '../../src/domain/dispute/events.ts';
import { BANK, OTHER_BANK, USCC } from './fixtures.ts';
import { commands, DeciderSpecification } from './specification.ts';

const spec = DeciderSpecification.for(disputeDecider, disputeEvents);
const c = commands<DisputeCommand>();
const ARB = 'changsha-arbitration';
const run = (cmds: DisputeCommand[]): DisputeEvent[] => {
  const events: DisputeEvent[] = [];
  for (const cmd of cmds)
    events.push(
      ...disputeDecider.decide(cmd, events.reduce(disputeDecider.evolve, disputeDecider.initialState())),
    );
  return events;
};
const file = c(
  'FileDispute',
  {
    disputeId: 'D1',
    loanId: 'L1',
    respondent: { org: USCC, role: 'enterprise' },
    forum: 'arbitration',
    body: ARB,
    claimAmountFen: 50_000_000,
    claims: 'repay principal and interest',
  },
  ['bank', BANK],
);
const accept = c('AcceptDispute', { caseNumber: '(2026)长仲网字第1号' }, ['arbitrator', ARB]);
const tribunal = c('AssignTribunal', { memberIds: ['arb-007'] }, ['arbitrator', ARB]);
const evidence = c(
  'SubmitEvidence',
  {
    evidenceId: 'E1',
    bundleSha256: 'ab'.repeat(32),
    documentSha256s: [],
    description: 'loan evidence bundle',
  },
  ['bank', BANK],
);
const hearing = c('HoldHearing', { heldOn: '2026-09-10', mode: 'online' }, ['arbitrator', ARB]);
const award = c(
  'IssueAward',
  {
    awardId: 'A1',
    payments: [{ payer: USCC, payee: BANK, amountFen: 48_000_000, item: 'principal and interest' }],
    obligations: ['pay within 15 days'],
  },
  ['arbitrator', ARB],
);

describe('dispute decider', () => {
  it('files, accepts, assigns, takes evidence, hears, awards, enforces, closes', () => {
    const events = run([file, accept, tribunal, evidence, hearing, award]);
    expect(events.map((e) => e.type)).toEqual([
      'DisputeFiled',
      'DisputeAccepted',
      'TribunalAssigned',
      'EvidenceSubmitted',
      'HearingHeld',
      'AwardIssued',
    ]);
    spec(events)
      .when(c('RequestEnforcement', { court: 'changsha-intermediate-court' }, ['bank', BANK]))
      .then(([e]) => expect(e?.data).toMatchObject({ requestedBy: BANK, amountFen: 48_000_000 }));
    spec(events)
      .when(c('RequestEnforcement', { court: 'x' }, ['enterprise', USCC]))
      .thenThrows('dispute.enforcement.not_a_creditor');
    spec(events)
      .when(c('CloseDispute', { reason: 'award issued' }, ['arbitrator', ARB]))
      .then(([e]) => expect(e?.type).toBe('DisputeClosed'));
  });

  it('refuses out-of-order steps and the wrong actors', () => {
    spec(run([file]))
      .when(c('AcceptDispute', { caseNumber: 'x' }, ['arbitrator', 'other-commission']))
      .thenThrows('dispute.accept.not_the_body');
    spec(run([file, accept]))
      .when(hearing)
      .thenThrows('dispute.hearing.no_tribunal');
    spec(run([file, accept, tribunal]))
      .when(award)
      .thenThrows('dispute.award.no_hearing');
    spec(run([file, accept]))
      .when(c('SubmitEvidence', evidence.data, ['bank', OTHER_BANK]))
      .thenThrows('dispute.evidence.not_a_party');
    spec(run([file]))
      .when(evidence)
      .thenThrows('dispute.evidence.not_open');
    spec([])
      .when(c('FileDispute', { ...file.data, respondent: { org: BANK, role: 'bank' } }, ['bank', BANK]))
      .thenThrows('dispute.file.against_itself');
    spec(run([file, accept, tribunal, hearing]))
      .when(
        c(
          'IssueAward',
          { ...award.data, payments: [{ payer: OTHER_BANK, payee: BANK, amountFen: 1, item: 'x' }] },
          ['arbitrator', ARB],
        ),
      )
      .thenThrows('dispute.award.unknown_party');
  });

  it('settles or withdraws before the award only', () => {
    spec(run([file, accept]))
      .when(c('SettleDispute', { terms: 'instalments' }, ['enterprise', USCC]))
      .then(([e]) => expect(e?.type).toBe('DisputeSettled'));
    spec(run([file, accept]))
      .when(c('WithdrawDispute', { reason: 'paid' }, ['enterprise', USCC]))
      .thenThrows('dispute.withdraw.not_the_claimant');
    spec(run([file, accept, tribunal, hearing, award]))
      .when(c('WithdrawDispute', { reason: 'x' }, ['bank', BANK]))
      .thenThrows('dispute.withdraw.not_open');
    spec(run([file, accept, tribunal, hearing, award]))
      .when(c('SettleDispute', { terms: 'x' }, ['bank', BANK]))
      .thenThrows('dispute.settle.not_open');
  });
});
