import { ensure, requireActor } from '../actor.ts';
import type { Decider } from '../decider.ts';
import type { PolicyCommand } from './commands.ts';
import type { PolicyEvent } from './events.ts';

/** One stream per loan (`policy-<loanId>`), so "one benefit per loan" (不重复享受) is decided in one place. */
export interface PolicyState {
  loanId: string | null;
  claims: {
    claimId: string;
    policyId: string;
    amountFen: number;
    status: 'pending' | 'approved' | 'refused';
  }[];
}

export const policyDecider: Decider<PolicyCommand, PolicyEvent, PolicyState> = {
  initialState: () => ({ loanId: null, claims: [] }),

  decide: (command, state) => {
    const { metadata } = command;
    switch (command.type) {
      case 'ClaimPolicyBenefit': {
        const d = command.data;
        requireActor(metadata, 'policy.claim.actor_not_allowed', ['bank', 'guarantor', 'enterprise']);
        ensure(
          state.loanId === null || state.loanId === d.loanId,
          'policy.claim.wrong_loan',
          'this stream belongs to another loan',
        );
        ensure(
          !state.claims.some((c) => c.claimId === d.claimId),
          'policy.claim.duplicate',
          'claim id already used',
        );
        ensure(
          d.eligiblePolicyIds.includes(d.policyId),
          'policy.claim.not_eligible',
          'the loan does not qualify for that policy',
        );
        const live = state.claims.find((c) => c.status !== 'refused');
        ensure(
          live === undefined,
          'policy.claim.benefit_already_granted',
          'a loan eligible for several policies enjoys only one (不重复享受)',
          { existingClaimId: live?.claimId, existingPolicyId: live?.policyId },
        );
        return [
          {
            type: 'PolicyBenefitClaimed',
            data: { ...d, claimant: metadata.actor.org, claimedAt: metadata.now },
          },
        ];
      }
      case 'ApprovePolicyClaim':
      case 'RefusePolicyClaim': {
        const d = command.data;
        requireActor(metadata, 'policy.decide.actor_not_allowed', ['government_fund', 'operator']);
        const claim = state.claims.find((c) => c.claimId === d.claimId);
        ensure(claim !== undefined, 'policy.decide.no_such_claim', 'no such claim');
        ensure(claim?.status === 'pending', 'policy.decide.already_decided', 'the claim was already decided');
        if (command.type === 'RefusePolicyClaim') {
          return [
            {
              type: 'PolicyClaimRefused',
              data: { claimId: d.claimId, reason: command.data.reason, refusedAt: metadata.now },
            },
          ];
        }
        ensure(
          command.data.approvedAmountFen <= (claim?.amountFen ?? 0),
          'policy.approve.exceeds_claim',
          'cannot approve more than was claimed',
        );
        return [
          {
            type: 'PolicyClaimApproved',
            data: {
              claimId: d.claimId,
              approvedAmountFen: command.data.approvedAmountFen,
              approvedAt: metadata.now,
            },
          },
        ];
      }
    }
  },

  evolve: (state, event) => {
    const setStatus = (claimId: string, status: 'approved' | 'refused') =>
      state.claims.map((c) => (c.claimId === claimId ? { ...c, status } : c));
    switch (event.type) {
      case 'PolicyBenefitClaimed':
        return {
          loanId: event.data.loanId,
          claims: [
            ...state.claims,
            {
              claimId: event.data.claimId,
              policyId: event.data.policyId,
              amountFen: event.data.amountFen,
              status: 'pending',
            },
          ],
        };
      case 'PolicyClaimApproved':
        return { ...state, claims: setStatus(event.data.claimId, 'approved') };
      case 'PolicyClaimRefused':
        return { ...state, claims: setStatus(event.data.claimId, 'refused') };
    }
  },
};
