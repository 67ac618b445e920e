import { describe, it } from 'vitest';
import type { PolicyCommand } from '../../src/domain/policy/commands.ts';
import { policyDecider } from '../../src/domain/policy/decider.ts';
import { policyEvents, type PolicyEvent } from '../../src/domain/policy/events.ts';
import { BANK, GUARANTOR } from './fixtures.ts';
import { commands, DeciderSpecification, NOW } from './specification.ts';

const spec = DeciderSpecification.for(policyDecider, policyEvents);
const c = commands<PolicyCommand>();
const claim = {
  claimId: 'C1',
  loanId: 'L1',
  policyId: 'interest-subsidy-2026',
  kind: 'interest_subsidy' as const,
  amountFen: 500_000,
  eligiblePolicyIds: ['interest-subsidy-2026', 'guarantee-fee-subsidy-2026'],
};
const claimed: PolicyEvent = {
  type: 'PolicyBenefitClaimed',
  data: { ...claim, claimant: BANK, claimedAt: NOW },
};
const second = c(
  'ClaimPolicyBenefit',
  { ...claim, claimId: 'C2', policyId: 'guarantee-fee-subsidy-2026', kind: 'guarantee_fee_subsidy' },
  ['guarantor', GUARANTOR],
);

describe('policy decider (不重复享受)', () => {
  it('claims one eligible policy', () => {
    spec([])
      .when(c('ClaimPolicyBenefit', claim, ['bank', BANK]))
      .then([claimed]);
    spec([])
      .when(c('ClaimPolicyBenefit', { ...claim, policyId: 'other' }, ['bank', BANK]))
      .thenThrows('policy.claim.not_eligible');
    spec([])
      .when(c('ClaimPolicyBenefit', claim, ['court', 'c']))
      .thenThrows('policy.claim.actor_not_allowed');
  });

  it('refuses a second benefit while one is pending or approved; allows it after a refusal', () => {
    spec([claimed]).when(second).thenThrows('policy.claim.benefit_already_granted');
    const approved: PolicyEvent = {
      type: 'PolicyClaimApproved',
      data: { claimId: 'C1', approvedAmountFen: 400_000, approvedAt: NOW },
    };
    spec([claimed, approved]).when(second).thenThrows('policy.claim.benefit_already_granted');
    const refused: PolicyEvent = {
      type: 'PolicyClaimRefused',
      data: { claimId: 'C1', reason: 'not filed in time', refusedAt: NOW },
    };
    spec([claimed, refused])
      .when(second)
      .then([
        { type: 'PolicyBenefitClaimed', data: { ...second.data, claimant: GUARANTOR, claimedAt: NOW } },
      ]);
  });

  it('the fund approves at most the claim, once; banks cannot approve', () => {
    spec([claimed])
      .when(
        c('ApprovePolicyClaim', { claimId: 'C1', approvedAmountFen: 500_000 }, [
          'government_fund',
          'hn-fund',
        ]),
      )
      .then([
        { type: 'PolicyClaimApproved', data: { claimId: 'C1', approvedAmountFen: 500_000, approvedAt: NOW } },
      ]);
    spec([claimed])
      .when(c('ApprovePolicyClaim', { claimId: 'C1', approvedAmountFen: 500_001 }, ['government_fund', 'f']))
      .thenThrows('policy.approve.exceeds_claim');
    spec([claimed])
      .when(c('ApprovePolicyClaim', { claimId: 'C1', approvedAmountFen: 1 }, ['bank', BANK]))
      .thenThrows('policy.decide.actor_not_allowed');
    spec([claimed, { type: 'PolicyClaimRefused', data: { claimId: 'C1', reason: 'x', refusedAt: NOW } }])
      .when(c('ApprovePolicyClaim', { claimId: 'C1', approvedAmountFen: 1 }, ['government_fund', 'f']))
      .thenThrows('policy.decide.already_decided');
    spec([])
      .when(c('RefusePolicyClaim', { claimId: 'C9', reason: 'x' }, ['operator', 'p']))
      .thenThrows('policy.decide.no_such_claim');
  });
});
